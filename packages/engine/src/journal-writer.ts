import type { IngestedEvent } from '@switchyard/schema'
import { crashPoint } from './crash'
import type { JournalEntry } from './records'
import type { AppendResult, EngineStore, OutboxSettleRows } from './store'

/** Most stored-but-untaken entries kept in memory (a bit above the back-pressure limit). */
const RECENT_MAX = 100_000

export interface IngestResult {
  accepted: number
  duplicates: number
}

/** One caller's events (and a relay batch's outcomes), waiting for the commit that holds them. */
interface Pending {
  events: IngestedEvent[]
  settle?: OutboxSettleRows
  resolve: (r: IngestResult) => void
  reject: (error: unknown) => void
}

/**
 * The journal's front door. Calls made while the event loop is busy share one transaction (group
 * commit): many concurrent requests cost one commit instead of one each, and each caller hears
 * back only after the commit that holds its events. With back-pressure on, callers wait while the
 * backlog of unapplied events is at the limit.
 */
export class JournalWriter {
  private queue: Pending[] = []
  /** Relay batches' settlements, committed apart from ingestion (see `settle`). */
  private settling: Pending[] = []
  private readonly listeners = new Set<() => void>()
  private readonly waiters = new Set<() => void>()
  private backPressure: { limit: number; maxWaitMs: number } | null = null
  /**
   * Entries this process stored and the engine has not taken yet, by sequence number: the engine
   * takes them from here instead of reading back and re-parsing what was just written. A gap (a
   * restart, another writer, the cap) makes it read the database.
   */
  private readonly recent = new Map<number, JournalEntry>()

  constructor(
    private readonly store: EngineStore,
    /** Unapplied events in the journal, as the engine counts them. */
    private readonly backlog: () => number,
    /** Told what each commit stored, entries included. */
    private readonly stored: (r: IngestResult & { stored: JournalEntry[] }) => void,
    /** Whether stored entries are kept for this engine's batches (false when none here would take them). */
    private readonly keepRecent = true,
  ) {}

  write(events: IngestedEvent[]): Promise<IngestResult> {
    return this.ready().then(() => this.enqueue(events))
  }

  private ready(): Promise<void> {
    const bp = this.backPressure
    return bp !== null && this.backlog() >= bp.limit ? this.caughtUp(bp.maxWaitMs) : Promise.resolve()
  }

  /**
   * A relay batch's journal events with its outcomes, in one transaction; the relay batches
   * settling in the same turn share it. Apart from ingestion's group commit: a request's answer
   * does not wait for a batch's message rows, and the engine thread may commit between the two.
   * Its events wait for back-pressure as ingested events do.
   */
  settle(events: IngestedEvent[], settle: OutboxSettleRows): Promise<IngestResult> {
    return (events.length > 0 ? this.ready() : Promise.resolve()).then(
      () =>
        new Promise((resolve, reject) => {
          this.settling.push({ events, settle, resolve, reject })
          if (this.settling.length === 1) setImmediate(() => void this.flushSettling())
        }),
    )
  }

  private enqueue(events: IngestedEvent[]): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject })
      if (this.queue.length === 1) setImmediate(() => void this.flush())
    })
  }

  /** The next stored entries after `afterSeq`, from memory, when the first of them is there. */
  takeStored(afterSeq: number, limit: number): JournalEntry[] | null {
    const out: JournalEntry[] = []
    for (let seq = afterSeq + 1; out.length < limit; seq++) {
      const e = this.recent.get(seq)
      if (e === undefined) break
      out.push(e)
      this.recent.delete(seq)
    }
    return out.length === 0 ? null : out
  }

  /** Entries read from the database: what memory held of them can go. */
  forget(entries: readonly JournalEntry[]): void {
    if (this.recent.size > 0) for (const e of entries) this.recent.delete(e.seq)
  }

  /** Another process stored events (a shared database said so): wake whoever waits for them. */
  storedElsewhere(): void {
    for (const l of this.listeners) l()
  }

  /** Called after events are stored, so a waiting runner wakes at once. */
  onStored(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Back-pressure: while the backlog is at `limit` or more, writers wait (up to `maxWaitMs`) for
   * the engine to catch up, so producers slow to the rate the engine applies instead of growing
   * a backlog (and its latency) without bound. Only set it when something drains the journal
   * (the runner does); `null` turns it off.
   */
  setBackPressure(limit: number | null, maxWaitMs = 10_000): void {
    this.backPressure = limit === null ? null : { limit, maxWaitMs }
    if (limit === null) this.releaseWaiters()
  }

  /** After the engine applied a batch: held writers go on once the backlog is down to three quarters. */
  applied(): void {
    if (this.waiters.size > 0 && (this.backPressure === null || this.backlog() < this.backPressure.limit * 0.75)) this.releaseWaiters()
  }

  private caughtUp(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, maxWaitMs)
      const waiters = this.waiters
      function done() {
        clearTimeout(timer)
        waiters.delete(done)
        resolve()
      }
      this.waiters.add(done)
    })
  }

  private releaseWaiters(): void {
    for (const w of [...this.waiters]) w()
  }

  private async flush(): Promise<void> {
    const group = this.queue
    this.queue = []
    await this.append(group)
  }

  private async flushSettling(): Promise<void> {
    const group = this.settling
    this.settling = []
    await this.append(group)
  }

  /**
   * Appends the writers' events in one transaction. When it fails with several writers in it, each
   * writer's events are tried again on their own, so one bad event (one the backend refuses) fails
   * only the request that sent it, not the others that happened to share its transaction.
   */
  private async append(group: Pending[]): Promise<void> {
    let results: AppendResult[]
    const settles = group.flatMap((g) => (g.settle ? [g.settle] : []))
    try {
      results = await this.store.appendEventGroups(
        group.map((g) => g.events),
        settles.length === 0 ? undefined : settles.length === 1 ? settles[0] : mergeSettles(settles),
      )
      crashPoint('after-journal-insert')
    } catch (error) {
      if (group.length === 1) group[0]?.reject(error)
      else for (const g of group) await this.append([g])
      return
    }
    let accepted = 0
    group.forEach((g, i) => {
      const result = results[i] ?? { accepted: 0, duplicates: g.events.length, stored: [] }
      accepted += result.accepted
      if (this.keepRecent && this.recent.size < RECENT_MAX) for (const e of result.stored) this.recent.set(e.seq, e)
      this.stored(result)
      g.resolve({ accepted: result.accepted, duplicates: result.duplicates })
    })
    if (accepted > 0) for (const l of this.listeners) l()
    for (const settle of settles) for (const j of settle.joined) j.committed?.()
  }
}

function mergeSettles(all: readonly OutboxSettleRows[]): OutboxSettleRows {
  return {
    complete: all.flatMap((s) => s.complete),
    defer: all.flatMap((s) => s.defer),
    history: all.flatMap((s) => s.history),
    joined: all.flatMap((s) => s.joined),
  }
}
