import type { IngestedEvent } from '@switchyard/schema'
import { crashPoint } from './crash'
import type { JournalEntry } from './records'
import type { AppendResult, EngineStore } from './store'

export interface IngestResult {
  accepted: number
  duplicates: number
}

/**
 * The journal's front door. Calls made while the event loop is busy share one transaction (group
 * commit): many concurrent requests cost one commit instead of one each, and each caller hears
 * back only after the commit that holds its events. With back-pressure on, callers wait while the
 * backlog of unapplied events is at the limit.
 */
export class JournalWriter {
  private queue: { events: IngestedEvent[]; resolve: (r: IngestResult) => void; reject: (error: unknown) => void }[] = []
  private readonly listeners = new Set<() => void>()
  private readonly waiters = new Set<() => void>()
  private backPressure: { limit: number; maxWaitMs: number } | null = null

  constructor(
    private readonly store: EngineStore,
    /** Unapplied events in the journal, as the engine counts them. */
    private readonly backlog: () => number,
    /** Told what each commit stored, entries included. */
    private readonly stored: (r: IngestResult & { stored: JournalEntry[] }) => void,
  ) {}

  write(events: IngestedEvent[]): Promise<IngestResult> {
    const bp = this.backPressure
    const ready = bp !== null && this.backlog() >= bp.limit ? this.caughtUp(bp.maxWaitMs) : Promise.resolve()
    return ready.then(
      () =>
        new Promise((resolve, reject) => {
          this.queue.push({ events, resolve, reject })
          if (this.queue.length === 1) setImmediate(() => void this.flush())
        }),
    )
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
    let results: AppendResult[]
    try {
      results = await this.store.appendEventGroups(group.map((g) => g.events))
      crashPoint('after-journal-insert')
    } catch (error) {
      for (const g of group) g.reject(error)
      return
    }
    let accepted = 0
    group.forEach((g, i) => {
      const result = results[i] ?? { accepted: 0, duplicates: g.events.length, stored: [] }
      accepted += result.accepted
      this.stored(result)
      g.resolve({ accepted: result.accepted, duplicates: result.duplicates })
    })
    if (accepted > 0) for (const l of this.listeners) l()
  }
}
