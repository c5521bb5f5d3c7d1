import {
  JourneyInput,
  fail,
  validateGraph,
  type EngineErrorCode,
  type Failure,
  type IngestedEvent,
  type Journey,
  type MigratePolicy,
  type NodeReferences,
  type PublishPreview,
  type ValidationIssue,
} from '@switchyard/schema'
import { applyEntries } from './apply-events'
import { Batch } from './batch'
import { EngineOutbox } from './engine-outbox'
import { decideDue } from './decisions'
import { JourneyCatalog } from './catalog'
import { replayHeld } from './resume'
import { previewMigration } from './migrate/preview'
import type { Clock } from './clock'
import { crashPoint } from './crash'
import { newId } from './ids'
import { JournalWriter, type IngestResult } from './journal-writer'
import { Mutex } from './lock'
import type { AppliedBatch, EngineCounters, JournalEntry, JourneyPatch, JourneyRecord, PublishResult } from './records'
import type { EngineCommit, EngineStore, OutboxSettleRows } from './store'
import { publishJourney, retryOnVersionTaken } from './publish'
import type { AppliedCounts, AppliedElsewhere } from './elsewhere'

export type { OutcomeJob, JobOutcome, OutboxSettlement } from './outcomes'
export { EngineReads, type RunsPage } from './engine-reads'
export { EngineOutbox } from './engine-outbox'
export type { AppliedCounts, AppliedElsewhere } from './elsewhere'

export interface EngineOptions {
  store: EngineStore
  clock: Clock
  workspace?: string
  /** Most journal events or timers applied in one transaction. */
  batchSize?: number
  /** Called after each batch commits, with when its events arrived or its timers fell due (benchmarks, metrics). */
  onApplied?: (applied: AppliedBatch) => void
  /** Where run ids come from; a simulation passes a counter so the same input gives the same answer. */
  newId?: (prefix: string, now: number) => string
  /** Another thread applies this journal (see AppliedElsewhere); this engine then only ingests and reads. */
  elsewhere?: AppliedElsewhere
  /**
   * An event that fails to apply on its own, from the stored state, is set aside (it stays in the
   * journal, unapplied) so that the users after it go on; this hears of each (the server logs it).
   */
  onSetAside?: (entry: JournalEntry, error: unknown) => void
}

/**
 * Runs one state machine per user and journey. Events are appended to the journal first
 * (`ingest`), then applied in arrival order by `processPending`; due timers go through the same
 * path (`fireDueTimers`). Each batch commits its snapshots, history, outbox and timers at once.
 */
export class Engine extends EngineOutbox {
  readonly clock: Clock
  readonly workspace: string
  readonly counters: EngineCounters = { eventsAccepted: 0, eventsDuplicate: 0, eventsApplied: 0, eventsSetAside: 0, timersFired: 0 }
  private readonly batchSize: number
  private readonly onApplied: ((applied: AppliedBatch) => void) | undefined
  private readonly onSetAside: ((entry: JournalEntry, error: unknown) => void) | undefined
  private readonly newId: (prefix: string, now: number) => string
  private readonly lock = new Mutex()
  private cursor = 0
  private backlogAtOpen = 0
  /** The catalog as of this stamp (shared stores only). */
  private catalogStamp: string | null = null
  private readonly journal: JournalWriter
  private readonly elsewhere: AppliedElsewhere | null
  /** Journeys were changed by another engine on the same database: reload before the next batch. */
  private catalogStale = false

  private constructor(o: EngineOptions) {
    super(o.store, new JourneyCatalog(o.store, Boolean(o.elsewhere)))
    this.clock = o.clock
    this.workspace = o.workspace ?? 'default'
    this.batchSize = o.batchSize ?? 1000
    this.onApplied = o.onApplied
    this.onSetAside = o.onSetAside
    this.newId = o.newId ?? newId
    this.elsewhere = o.elsewhere ?? null
    // Stored entries are kept for this engine's batches only where it applies them: not when another
    // engine applies the journal, nor on a shared store, whose events may be another process's partitions'.
    const keepRecent = this.elsewhere === null && !o.store.partitioned
    this.journal = new JournalWriter(o.store, () => this.backlog(), (r) => {
      this.counters.eventsAccepted += r.accepted
      this.counters.eventsDuplicate += r.duplicates
    }, keepRecent)
  }

  static async open(o: EngineOptions): Promise<Engine> {
    const engine = new Engine(o)
    await engine.catalog.loadAll()
    // Applying alone, it knows every version its runs are on, and can pass over events nothing hears.
    if (!o.elsewhere && !o.store.partitioned) await engine.catalog.ensureActiveVersions()
    engine.cursor = await o.store.appliedSeq()
    engine.backlogAtOpen = (await o.store.journalHead()) - engine.cursor
    return engine
  }

  /** Journal events accepted and not applied yet, from counters (no query). */
  backlog(): number {
    return this.backlogAtOpen + this.counters.eventsAccepted - this.counters.eventsApplied
  }

  /** See JournalWriter.setBackPressure; the runner turns it on. */
  setBackPressure(limit: number | null, maxWaitMs = 10_000): void {
    // Shared by processes, this one's counters do not measure the backlog: no back-pressure.
    this.journal.setBackPressure(this.store.partitioned ? null : limit, maxWaitMs)
  }

  async close(): Promise<void> {
    await this.lock.run(async () => this.store.close())
  }

  /** Called after events are ingested, so a waiting runner wakes at once. */
  onIngest(listener: () => void): () => void {
    return this.journal.onStored(listener)
  }

  /** Every batch's one transaction; a batch that queued side effects wakes the relay. */
  private async commit(c: EngineCommit): Promise<void> {
    await this.store.commit(c)
    if (c.outbox.length > 0) this.outboxQueued()
  }

  /** Another process appended to a shared journal: a waiting runner wakes as for a local ingest. */
  appendedElsewhere(): void {
    this.journal.storedElsewhere()
  }

  /** The engine that applies this journal elsewhere finished a batch: counters and held writers follow. */
  appliedElsewhere(applied: AppliedCounts): void {
    this.counters.eventsApplied += applied.events
    this.counters.eventsSetAside += applied.setAside ?? 0
    this.counters.timersFired += applied.timers
    this.journal.applied()
  }

  /** Another engine on this database created or edited journeys: the catalog is read again before the next batch. */
  journeysChangedElsewhere(): void {
    this.catalogStale = true
  }

  private appliedHere(): Promise<number> | null {
    return this.elsewhere === null ? null : Promise.reject(new Error('This engine only ingests: its journal is applied on the engine thread.'))
  }

  // --- events ---------------------------------------------------------------------------------

  /** Appends events to the journal (group commit); durable when the promise resolves. Duplicates are ignored. */
  ingest(events: IngestedEvent[]): Promise<IngestResult> {
    return this.journal.write(events)
  }

  protected ingestSettling(events: IngestedEvent[], rows: OutboxSettleRows): Promise<IngestResult> {
    return this.journal.settle(events, rows)
  }

  /** Applies the next batch of journal events; returns how many were applied. */
  processPending(limit: number = this.batchSize): Promise<number> {
    const refused = this.appliedHere()
    if (refused) return refused
    return this.lock.run(async () => {
      const shared = this.store.partitioned
      await this.syncShared()
      const entries = shared ? await shared.readUnapplied(limit) : (this.journal.takeStored(this.cursor, limit) ?? (await this.readStored(limit)))
      if (entries.length === 0) return 0
      const now = this.clock.now()
      const applied = await applyEntries(entries, this.catalog, (userIds) => this.batchFor(userIds, now))
      if (applied.kind === 'applied') return this.finishEvents(applied.consumed, applied.batch, 0)
      // Committed as consumed without effect; it stays in the journal.
      const n = await this.finishEvents([applied.entry], await this.batchFor([], now), 1)
      this.onSetAside?.(applied.entry, applied.error)
      return n
    })
  }

  /** Commits a batch of applied events (`setAside` of them consumed without effect) and moves past them. */
  private async finishEvents(entries: readonly JournalEntry[], batch: Batch, setAside: number): Promise<number> {
    const last = entries[entries.length - 1]?.seq ?? this.cursor
    // Shared: the entries themselves are marked applied (partitions move on independently).
    await this.commit(this.store.partitioned ? { ...batch.finish(null), appliedSeqs: entries.map((e) => e.seq) } : batch.finish(last))
    if (!this.store.partitioned) this.cursor = last
    this.counters.eventsApplied += entries.length
    this.counters.eventsSetAside += setAside
    this.journal.applied()
    this.onApplied?.({ kind: 'events', since: entries.map((e) => e.receivedAt), committedAt: this.clock.now(), setAside })
    return entries.length
  }

  /** A batch with these users' state loaded, and the versions their runs are on. */
  private async batchFor(userIds: string[], now: number): Promise<Batch> {
    const users = await this.store.loadUsers([...new Set(userIds)])
    await this.catalog.ensure([...users.values()].flatMap((u) => u.activeRuns))
    await decideDue(this.catalog, this.store, now)
    return new Batch({ now, workspace: this.workspace, catalog: this.catalog, users, newId: this.newId })
  }

  /**
   * Shared by processes, before each batch: when any process changed a journey, or this one took
   * partitions, the catalog reloads and what resumed journeys held in this process's partitions
   * is replayed here (the process that resumed them may hold none of those users).
   */
  private async syncShared(): Promise<void> {
    if (this.catalogStale) {
      this.catalogStale = false
      await this.catalog.reload()
    }
    const shared = this.store.partitioned
    if (!shared) return
    const stamp = await shared.catalogStamp()
    if (stamp === this.catalogStamp) return
    // The first time, what was loaded at open may be older than the stamp: load again then too.
    await this.catalog.reload()
    this.catalogStamp = stamp
    // Without held events, due timers fire the usual way, in due order.
    for (const id of this.catalog.liveJourneyIds()) if ((await this.store.heldEvents(id, 1)).length > 0) await this.replay(id)
  }

  private replay(journeyId: string): Promise<void> {
    return replayHeld(journeyId, { store: this.store, pageSize: this.batchSize, now: this.clock.now(), batchFor: (userIds, now) => this.batchFor(userIds, now), commit: (c) => this.commit(c) })
  }

  /** From the database; what memory held of the same entries is dropped, so it cannot go stale. */
  private async readStored(limit: number): Promise<JournalEntry[]> {
    const entries = await this.store.readJournal(this.cursor, limit)
    this.journal.forget(entries)
    return entries
  }

  /** Fires timers due by now (overdue ones first); returns how many fired. */
  fireDueTimers(limit: number = this.batchSize): Promise<number> {
    const refused = this.appliedHere()
    if (refused) return refused
    return this.lock.run(async () => {
      await this.syncShared()
      const now = this.clock.now()
      const timers = await this.store.dueTimers(now, limit)
      if (timers.length === 0) return 0
      const batch = await this.batchFor(timers.map((t) => t.userId), now)
      const half = Math.floor(timers.length / 2)
      timers.forEach((t, i) => {
        if (i === half) crashPoint('timer-batch-middle')
        batch.applyTimer(t)
      })
      await this.commit(batch.finish(null))
      this.counters.timersFired += timers.length
      this.onApplied?.({ kind: 'timers', since: timers.map((t) => t.dueAt), committedAt: this.clock.now() })
      return timers.length
    })
  }

  /** Applies everything pending and every timer due now. For tests and shutdown. */
  async runUntilIdle(): Promise<void> {
    for (;;) {
      const n = (await this.processPending()) + (await this.fireDueTimers())
      if (n === 0) return
    }
  }

  async lag(): Promise<{ journalHead: number; appliedSeq: number; pending: number }> {
    const head = await this.store.journalHead()
    if (this.store.partitioned) {
      // No single cursor: what is pending in the partitions this process holds.
      const pending = await this.store.partitioned.unappliedCount()
      return { journalHead: head, appliedSeq: head - pending, pending }
    }
    const applied = this.elsewhere === null ? this.cursor : await this.store.appliedSeq()
    return { journalHead: head, appliedSeq: applied, pending: head - applied }
  }

  // --- journeys -------------------------------------------------------------------------------

  async createJourney(input: JourneyInput): Promise<Journey> {
    const now = this.clock.now()
    const j: JourneyRecord = {
      id: this.newId('jny', now),
      name: input.name,
      status: 'draft',
      graph: input.graph,
      settings: input.settings,
      version: null,
      publishedDraftHash: null,
      createdAt: now,
      updatedAt: now,
    }
    await this.store.insertJourney(j)
    this.elsewhere?.journeysChanged()
    return this.view(j)
  }

  async updateJourney(id: string, patch: JourneyPatch): Promise<Journey | null> {
    const j = await this.store.getJourney(id)
    if (!j) return null
    const edited: JourneyRecord = {
      ...j,
      name: patch.name ?? j.name,
      graph: patch.graph ?? j.graph,
      settings: patch.settings ?? j.settings,
      updatedAt: this.clock.now(),
    }
    // Not under the lock (on SQLite a publish may be running on the engine thread): only the
    // draft's columns are written, and the answer is the row as it stands, status and version included.
    const next = (await this.store.updateDraft(edited)) ?? edited
    if (next.name !== j.name) {
      this.catalog.setJourney(next)
      this.elsewhere?.journeysChanged()
    }
    return this.view(next)
  }

  async duplicateJourney(id: string, name?: string): Promise<Journey | null> {
    const j = await this.store.getJourney(id)
    if (!j) return null
    return this.createJourney({ name: name ?? `${j.name} (copy)`, graph: j.graph, settings: j.settings })
  }

  /**
   * `references` are the workspace's webhooks, providers and Liquid parser, checked with the graph.
   * With `migrate`, runs waiting on older versions move or exit as it says (see migrate/).
   */
  async publish(id: string, references: NodeReferences = {}, migrate?: MigratePolicy): Promise<PublishResult | Failure<'migration.invalid_map'> | null> {
    if (this.elsewhere) return this.thenReload(this.elsewhere.publish(id, references, migrate))
    const deps = { store: this.store, catalog: this.catalog, now: () => this.clock.now(), commit: (c: EngineCommit) => this.commit(c) }
    return retryOnVersionTaken(() => this.lock.run(() => publishJourney(deps, id, references, migrate)))
  }

  /** What `publish` would change: the diff and where waiting users would go; the draft's issues when it cannot be published. */
  async publishPreview(id: string, references: NodeReferences, migrate: MigratePolicy): Promise<PublishPreview | Failure<'migration.invalid_map'> | { ok: false; issues: ValidationIssue[] } | null> {
    const j = await this.store.getJourney(id)
    if (!j) return null
    const result = validateGraph(j.graph, { ...references, settings: j.settings })
    if (!result.ok) return { ok: false, issues: result.issues }
    return previewMigration(this.store, j, j.graph, migrate)
  }

  async setPaused(id: string, paused: boolean): Promise<Journey | Failure<EngineErrorCode> | null> {
    if (this.elsewhere) return this.thenReload(this.elsewhere.setPaused(id, paused))
    const result = await this.lock.run(async () => {
      const j = await this.store.getJourney(id)
      if (!j) return null
      if (j.version === null) return fail('journey.not_published', 'Publish the journey before pausing or resuming it.')
      const next: JourneyRecord = { ...j, status: paused ? 'paused' : 'live', updatedAt: this.clock.now() }
      await this.store.updateStatus(next)
      this.catalog.setJourney(next)
      // Shared: each process replays its own partitions' held events when it sees the change.
      if (!paused && !this.store.partitioned) await this.replay(id)
      return next
    })
    if (result === null || 'ok' in result) return result
    return this.view(result)
  }

  async deleteJourney(id: string, options: { exitUsers: boolean }): Promise<{ ok: true } | Failure<EngineErrorCode> | null> {
    if (this.elsewhere) return this.thenReload(this.elsewhere.deleteJourney(id, options))
    return this.lock.run(async () => {
      const j = await this.store.getJourney(id)
      if (!j) return null
      const active = await this.activeUsers(id)
      if (active > 0 && !options.exitUsers) {
        return fail(
          'journey.has_active_users',
          `${active} user(s) are still in this journey. Pause it and wait, or delete with exitUsers=true to take them out.`,
        )
      }
      await this.store.deleteJourney(id)
      this.catalog.forget(id)
      return { ok: true }
    })
  }

  /** After a journey write done by the applier: this side's catalog (names, versions for reads) is read again. */
  private async thenReload<T>(done: Promise<T>): Promise<T> {
    const result = await done
    await this.lock.run(() => this.catalog.reload())
    return result
  }
}
