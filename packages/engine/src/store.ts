import type { IngestedEvent, JourneyStats, OutboxJob } from '@switchyard/schema'
import type { JoinedWrite } from '@switchyard/storage'
import type {
  CounterDelta,
  GoalWatch,
  HistoryRecord,
  JournalEntry,
  JourneyRecord,
  JourneyVersionRecord,
  OutboxRecord,
  RunRecord,
  TimerRecord,
  UserRecord,
} from './records'

/** What the engine knows of a user while it applies a batch of their events. */
export interface UserState {
  userId: string
  traits: Record<string, unknown>
  activeRuns: RunRecord[]
  /** Journeys this user has ever entered, for the `never` re-entry policy. */
  enteredJourneys: Set<string>
  /** Runs still inside their goal's conversion window. */
  goalWatches: GoalWatch[]
}

/**
 * Everything one batch of applied events and timers changed. The store writes it in one
 * transaction, so a crash leaves either all of it or none, and the journal cursor with it.
 */
export interface EngineCommit {
  /** The journal is applied through this sequence number. */
  appliedSeq: number | null
  /** On a partitioned store (`EngineStore.partitioned`): the journal entries this batch applied, in place of `appliedSeq`. */
  appliedSeqs?: number[]
  runs: Map<string, RunRecord>
  users: Map<string, UserRecord>
  history: HistoryRecord[]
  outbox: OutboxRecord[]
  timersSet: TimerRecord[]
  timersCleared: { runId: string; nodeId: string }[]
  counters: CounterDelta[]
  /** Events that reached runs of a paused journey, to apply on resume. */
  held: { runId: string; journeyId: string; seq: number }[]
  heldReleased: { runId: string; seq: number }[]
  goalWatchesSet: GoalWatch[]
  goalWatchesCleared: string[]
  /** A user's first entry into a journey: kept after their runs are deleted, for `reentry: never`. */
  entered: { userId: string; journeyId: string }[]
  /**
   * A publish: the new version commits with what it changes, so a failure publishes nothing. With
   * `migrate`, the store reads the journey's active runs inside the transaction (on PostgreSQL after
   * taking the publish epoch, which holds every other process's batch) and writes the commit
   * `migrate` makes of them in place of this one's other fields: no batch can commit between the
   * read and the write and have its changes written over.
   */
  version?: { record: JourneyVersionRecord; journey: JourneyRecord; migrate?: (activeRuns: RunRecord[]) => EngineCommit }
}

export function emptyCommit(): EngineCommit {
  return {
    appliedSeq: null,
    runs: new Map(),
    users: new Map(),
    history: [],
    outbox: [],
    timersSet: [],
    timersCleared: [],
    counters: [],
    held: [],
    heldReleased: [],
    goalWatchesSet: [],
    goalWatchesCleared: [],
    entered: [],
  }
}

export interface AppendResult {
  accepted: number
  duplicates: number
  /** The events stored by this call (duplicates left out), as the journal now holds them. */
  stored: JournalEntry[]
}

export interface RunWithHistory extends RunRecord {
  history: HistoryRecord[]
}

/** Where a page of runs ends: runs are ordered by start time, then id, newest first. */
export interface RunKey {
  startedAt: number
  runId: string
}

/** A history row with its position in the run, for the next page. */
export interface HistoryPageRow {
  id: number
  record: HistoryRecord
}

export interface JourneyUserSummary {
  userId: string
  runs: number
  status: RunRecord['status']
  currentNodeId: string | null
  lastActivityAt: number
}

/** An outbox row as the store claims it: its job as stored (a message job may name its fields, see `StoredMessageJob`). */
export interface StoredOutboxClaim extends OutboxRecord {
  attempts: number
}

/** A claimed row as the engine hands it out, its job whole. */
export interface OutboxClaim extends StoredOutboxClaim {
  job: OutboxJob
}

/**
 * A store several processes share (PostgreSQL): users are hashed into partitions, each process
 * applies the events and fires the timers of the partitions it leases, so unapplied events are
 * found per partition instead of behind one cursor. `dueTimers` and `commit` keep to the same
 * partitions, and a commit for a partition this process no longer holds fails.
 */
export interface PartitionedJournal {
  /** The oldest unapplied events of the partitions this process holds, in journal order. */
  readUnapplied(limit: number): Promise<JournalEntry[]>
  /** How many events of those partitions are not applied yet. */
  unappliedCount(): Promise<number>
  /** Changes whenever any process publishes, pauses, resumes, edits or deletes a journey: the catalog reloads. */
  catalogStamp(): Promise<string>
}

/**
 * Storage behind the engine. Every method is async so that a networked database can implement
 * it; the engine calls it a few times per batch, never per event.
 */
export interface EngineStore {
  readonly kind: string
  /** Present when several processes share the store, each applying its own partitions. */
  readonly partitioned?: PartitionedJournal
  close(): Promise<void>

  // The journal: accepted events, in arrival order.
  /**
   * Several callers' events in one transaction (group commit), with each group's own counts;
   * `stored` holds the rows written, with their sequence numbers. With `settle`, relay batches'
   * outcomes commit in the same transaction (see `OutboxSettleRows`).
   */
  appendEventGroups(groups: readonly IngestedEvent[][], settle?: OutboxSettleRows): Promise<AppendResult[]>
  readJournal(afterSeq: number, limit: number): Promise<JournalEntry[]>
  readJournalSeqs(seqs: number[]): Promise<JournalEntry[]>
  appliedSeq(): Promise<number>
  journalHead(): Promise<number>

  // Per-user state, loaded for a batch.
  loadUsers(userIds: string[]): Promise<Map<string, UserState>>
  loadRuns(runIds: string[]): Promise<Map<string, RunRecord>>
  getUser(userId: string): Promise<UserRecord | null>
  /** Bytes each stored profile takes, as stored (at least its traits' JSON); users never identified are left out. */
  profileBytes(userIds: readonly string[]): Promise<Map<string, number>>

  // Timers.
  dueTimers(now: number, limit: number): Promise<TimerRecord[]>
  nextTimerDue(): Promise<number | null>
  pendingTimerCount(): Promise<number>

  commit(commit: EngineCommit): Promise<void>

  // Journeys.
  insertJourney(journey: JourneyRecord): Promise<void>
  /**
   * A draft edit: writes the journey's name, graph and settings (and `updatedAt`) only, so an
   * edit read before a concurrent publish or pause cannot put back the version or status it read.
   * Answers the whole row as it stands after the write (null when the journey is gone).
   */
  updateDraft(journey: JourneyRecord): Promise<JourneyRecord | null>
  /** A pause or resume: writes the journey's status (and `updatedAt`) only. */
  updateStatus(journey: JourneyRecord): Promise<void>
  getJourney(id: string): Promise<JourneyRecord | null>
  listJourneys(): Promise<JourneyRecord[]>
  deleteJourney(id: string): Promise<void>
  insertVersion(version: JourneyVersionRecord, journey: JourneyRecord): Promise<void>
  getVersion(journeyId: string, version: number): Promise<JourneyVersionRecord | null>
  listVersions(journeyId: string): Promise<JourneyVersionRecord[]>
  /** Every live or paused journey's latest version, to index triggers at start. */
  publishedJourneys(): Promise<{ journey: JourneyRecord; latest: JourneyVersionRecord }[]>

  // Inspection.
  runsOf(journeyId: string, userId: string): Promise<RunWithHistory[]>
  /** At most `limit` of a user's runs in a journey, newest first, older than `before` when given. */
  runsPage(journeyId: string, userId: string, o: { before?: RunKey; limit: number }): Promise<RunRecord[]>
  /** At most `limit` history rows of a run after the row `afterId` (0: from the start), oldest first. */
  historyPage(runId: string, o: { afterId: number; limit: number }): Promise<HistoryPageRow[]>
  usersOf(journeyId: string, options: { prefix?: string; limit: number }): Promise<JourneyUserSummary[]>
  /** Users in each journey now, for lists: one query, not one per journey. */
  activeTotals(): Promise<Map<string, number>>
  activeCounts(journeyId: string): Promise<{ version: number; nodeId: string | null; count: number }[]>
  /** A journey's active runs, for a migration on publish. */
  activeRuns(journeyId: string): Promise<RunRecord[]>
  counters(journeyId: string, version?: number): Promise<CounterDelta[]>
  stats(journeyId: string, version?: number): Promise<JourneyStats>
  heldEvents(journeyId: string, limit: number): Promise<{ runId: string; seq: number }[]>
  /** One journey's timers due by `until`, soonest first: those that fell due while it was paused. */
  dueTimersOf(journeyId: string, until: number, limit: number): Promise<TimerRecord[]>

  // The outbox, drained by dispatchers after commit.
  /** Rows of a kind whose time has come (`available_at <= now`), soonest and oldest first. */
  claimOutbox(kind: OutboxRecord['kind'], limit: number, now: number): Promise<StoredOutboxClaim[]>
  completeOutbox(ids: string[]): Promise<void>
  /**
   * Keeps a row for later (a quiet-hours hold, a retry): counts the attempt, durable across
   * restarts. `history` (why it waits) commits in the same transaction.
   */
  deferOutbox(id: string, availableAt: number, history?: HistoryRecord): Promise<void>
  outboxPending(): Promise<number>
  /** The soonest `available_at` of any row (claimed ones included), or null when the outbox is empty. */
  nextOutboxDue(): Promise<number | null>
  appendHistory(rows: HistoryRecord[]): Promise<void>
}

/**
 * Relay batches' outcomes as rows, committed with the journal events they produced: outbox rows
 * done, rows kept for later, their history rows, and the rows other stores write about the same
 * sends (message results, webhook deliveries, account events), joined to the same transaction.
 */
export interface OutboxSettleRows {
  complete: readonly string[]
  defer: readonly { id: string; availableAt: number }[]
  history: readonly HistoryRecord[]
  joined: readonly JoinedWrite[]
}

/** What a backtest reads of a live engine: its journal and its users' profiles, nothing it could write. */
export type JournalSource = Pick<EngineStore, 'readJournal' | 'getUser'>

/**
 * A publish found its version number taken: another process sharing the database published the
 * same journey first. The publish reads the journey again and takes the next number.
 */
export class VersionTakenError extends Error {
  constructor(
    readonly journeyId: string,
    readonly version: number,
  ) {
    super(`version ${version} of journey ${journeyId} was published by another process first`)
    this.name = 'VersionTakenError'
  }
}
