import type Database from 'better-sqlite3'
import type { IngestedEvent, JourneyStats, OutboxJob } from '@switchyard/schema'
import type { CounterDelta, HistoryRecord, JournalEntry, JourneyRecord, JourneyVersionRecord, RunRecord, TimerRecord, UserRecord } from '../records'
import type { AppendResult, EngineCommit, EngineStore, HistoryPageRow, JourneyUserSummary, StoredOutboxClaim, OutboxSettleRows, RunKey, RunWithHistory, UserState } from '../store'
import { buildStats } from '../stats'
import { migrateSqlite, writeTransaction } from '@switchyard/storage'
import { ENGINE_MIGRATIONS } from '../migrations'
import {
  draftColumns,
  goalWatchColumns,
  goalWatchFromRow,
  historyColumns,
  historyFromRow,
  journalFields,
  journalFromRow,
  journalPayload,
  journeyColumns,
  journeyFromRow,
  outboxClaimFromRow,
  publishedColumns,
  publishedFromRow,
  runColumns,
  runFromRow,
  timerFromRow,
  userFromRow,
  versionColumns,
  versionFromRow,
} from '../rows'
import { StoredOutboxJob, StoredTraits } from '../stored'
import { prepareStatements, type Statements } from './statements'

/** The engine's storage on one SQLite file (better-sqlite3: synchronous, so each call is atomic). */
export class SqliteEngineStore implements EngineStore {
  readonly kind = 'sqlite'
  private readonly s: Statements
  /**
   * Whether `dedupe_keys` may hold rows: message ids whose journal rows retention deleted inside
   * the dedupe window. Ingest only looks them up while it does, so the usual case costs nothing.
   */
  private dedupeKeys: boolean

  constructor(
    readonly db: Database.Database,
    now: number = Date.now(),
  ) {
    migrateSqlite(db, ENGINE_MIGRATIONS, now)
    this.s = prepareStatements(db)
    this.dedupeKeys = this.s.anyDedupeKey.get() !== undefined
  }

  /** Retention calls this after it adds or prunes `dedupe_keys` rows. */
  dedupeKeysChanged(): void {
    this.dedupeKeys = this.s.anyDedupeKey.get() !== undefined
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }

  async appendEventGroups(groups: readonly IngestedEvent[][], settle?: OutboxSettleRows): Promise<AppendResult[]> {
    // Encoded before the write lock is taken, and the entries built after it is given back: the
    // engine thread waits for the statements only.
    const rows = groups.map((events) => events.map((e) => ({ e, payload: journalPayload(e), seq: 0 })))
    const settled = settle ? encodeSettle(settle) : null
    await writeTransaction(this.db, () => {
      for (const group of rows) {
        for (const r of group) {
          if (this.dedupeKeys && this.s.dedupeKeyExists.get(r.e.messageId) !== undefined) continue
          const inserted = this.s.insertEvent.run(r.e.messageId, r.e.type, r.e.userId, r.payload, r.e.timestamp, r.e.receivedAt)
          if (inserted.changes === 1) r.seq = Number(inserted.lastInsertRowid)
        }
      }
      if (settled) this.settleRows(settled)
    })
    return rows.map((group) => {
      // The entry as journalFromRow would read it back: the payload's fields, or absent.
      const stored = group.flatMap((r) => (r.seq > 0 ? [journalFields(r.e, r.seq)] : []))
      return { accepted: stored.length, duplicates: group.length - stored.length, stored }
    })
  }

  async readJournal(afterSeq: number, limit: number): Promise<JournalEntry[]> {
    return this.s.readJournal.all(afterSeq, limit).map(journalFromRow)
  }
  async readJournalSeqs(seqs: number[]): Promise<JournalEntry[]> {
    return seqs.length === 0 ? [] : this.s.journalBySeqs.all(JSON.stringify(seqs)).map(journalFromRow)
  }
  async appliedSeq(): Promise<number> {
    return Number(this.s.getMeta.get('applied_seq')?.value ?? 0)
  }
  async journalHead(): Promise<number> {
    return this.s.journalHead.get()?.seq ?? 0
  }

  async loadUsers(userIds: string[]): Promise<Map<string, UserState>> {
    const ids = JSON.stringify(userIds)
    const out = new Map<string, UserState>()
    for (const userId of userIds) out.set(userId, { userId, traits: {}, activeRuns: [], enteredJourneys: new Set(), goalWatches: [] })
    for (const row of this.s.usersByIds.all(ids)) {
      const state = out.get(row.user_id)
      if (state) state.traits = StoredTraits.decode(row.traits)
    }
    for (const row of this.s.activeRunsByUsers.all(ids)) out.get(row.user_id)?.activeRuns.push(runFromRow(row))
    for (const row of this.s.enteredByUsers.all(ids)) out.get(row.user_id)?.enteredJourneys.add(row.journey_id)
    for (const w of this.s.watchesByUsers.all(ids)) out.get(w.user_id)?.goalWatches.push(goalWatchFromRow(w))
    return out
  }

  async loadRuns(runIds: string[]): Promise<Map<string, RunRecord>> {
    return new Map(this.s.runsByIds.all(JSON.stringify(runIds)).map((r) => [r.run_id, runFromRow(r)]))
  }

  async getUser(userId: string): Promise<UserRecord | null> {
    const row = this.s.getUser.get(userId)
    return row ? userFromRow(row) : null
  }

  async profileBytes(userIds: readonly string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map()
    return new Map(this.s.profileBytes.all(JSON.stringify(userIds)).map((r) => [r.user_id, r.bytes]))
  }

  async dueTimers(now: number, limit: number): Promise<TimerRecord[]> {
    return this.s.dueTimers.all(now, limit).map(timerFromRow)
  }
  async dueTimersOf(journeyId: string, until: number, limit: number): Promise<TimerRecord[]> {
    return this.s.dueTimersOf.all(until, journeyId, limit).map(timerFromRow)
  }
  async nextTimerDue(): Promise<number | null> {
    return this.s.nextTimer.get()?.due ?? null
  }
  async pendingTimerCount(): Promise<number> {
    return this.s.timerCount.get()?.n ?? 0
  }

  async commit(given: EngineCommit): Promise<void> {
    const v = given.version
    // Rows are encoded before the write lock is taken, so the other thread writing to this file
    // waits only for the statements. A migrating publish reads the runs it moves inside the lock.
    const ready = v?.migrate ? null : encodeCommit(given)
    await writeTransaction(this.db, () => {
      const rows = ready ?? encodeCommit(v?.migrate ? v.migrate(this.s.activeRunsOf.all(v.record.journeyId).map(runFromRow)) : given)
      if (v) this.writeVersion(v.record, v.journey)
      this.writeCommit(rows)
    })
  }

  private writeCommit(c: EncodedCommit): void {
    const s = this.s
    for (const u of c.users) s.upsertUser.run(...u)
    for (const r of c.runs) s.upsertRun.run(...r)
    for (const h of c.history) s.insertHistory.run(...h)
    for (const o of c.outbox) s.insertOutbox.run(...o)
    for (const t of c.timersCleared) s.clearTimer.run(t.runId, t.nodeId)
    for (const t of c.timersSet) s.setTimer.run(t.runId, t.nodeId, t.journeyId, t.userId, t.dueAt)
    for (const k of c.counters) s.bumpCounter.run(k.journeyId, k.version, k.nodeId, k.metric, k.delta)
    for (const h of c.held) s.hold.run(h.runId, h.journeyId, h.seq)
    for (const h of c.heldReleased) s.release.run(h.runId, h.seq)
    for (const e of c.entered) s.markEntered.run(e.userId, e.journeyId)
    for (const w of c.goalWatchesSet) s.setWatch.run(...w)
    for (const runId of c.goalWatchesCleared) s.clearWatch.run(runId)
    if (c.appliedSeq !== null) s.setMeta.run('applied_seq', String(c.appliedSeq))
  }

  async insertJourney(j: JourneyRecord): Promise<void> {
    const [name, status, graph, settings, version, hash, updatedAt] = journeyColumns(j)
    this.s.insertJourney.run(j.id, name, status, graph, settings, version, hash, j.createdAt, updatedAt)
  }
  async updateDraft(j: JourneyRecord): Promise<JourneyRecord | null> {
    const row = this.s.updateDraft.get(...draftColumns(j), j.id)
    return row ? journeyFromRow(row) : null
  }
  async updateStatus(j: JourneyRecord): Promise<void> {
    this.s.updateStatus.run(j.status, j.updatedAt, j.id)
  }
  async getJourney(id: string): Promise<JourneyRecord | null> {
    const row = this.s.getJourney.get(id)
    return row ? journeyFromRow(row) : null
  }
  async listJourneys(): Promise<JourneyRecord[]> {
    return this.s.listJourneys.all().map(journeyFromRow)
  }
  async deleteJourney(id: string): Promise<void> {
    await writeTransaction(this.db, () => this.s.deleteJourneyRows.forEach((st) => st.run(id)))
  }
  async insertVersion(v: JourneyVersionRecord, j: JourneyRecord): Promise<void> {
    await writeTransaction(this.db, () => this.writeVersion(v, j))
  }
  private writeVersion(v: JourneyVersionRecord, j: JourneyRecord): void {
    this.s.insertVersion.run(v.journeyId, v.version, ...versionColumns(v))
    this.s.updatePublished.run(...publishedColumns(j), j.id)
  }
  async getVersion(journeyId: string, version: number): Promise<JourneyVersionRecord | null> {
    const row = this.s.getVersion.get(journeyId, version)
    return row ? versionFromRow(row) : null
  }
  async listVersions(journeyId: string): Promise<JourneyVersionRecord[]> {
    return this.s.listVersions.all(journeyId).map(versionFromRow)
  }
  async publishedJourneys(): Promise<{ journey: JourneyRecord; latest: JourneyVersionRecord }[]> {
    return this.s.published.all().map(publishedFromRow)
  }

  async runsOf(journeyId: string, userId: string): Promise<RunWithHistory[]> {
    return this.s.runsOf.all(journeyId, userId).map((row) => ({
      ...runFromRow(row),
      history: this.s.historyOf.all(row.run_id).map(historyFromRow),
    }))
  }
  async runsPage(journeyId: string, userId: string, o: { before?: RunKey; limit: number }): Promise<RunRecord[]> {
    const startedAt = o.before?.startedAt ?? Number.MAX_SAFE_INTEGER
    return this.s.runsPage.all(journeyId, userId, startedAt, startedAt, o.before?.runId ?? '', o.limit).map(runFromRow)
  }
  async historyPage(runId: string, o: { afterId: number; limit: number }): Promise<HistoryPageRow[]> {
    return this.s.historyPage.all(runId, o.afterId, o.limit).map((row) => ({ id: row.id, record: historyFromRow(row) }))
  }
  async usersOf(journeyId: string, o: { prefix?: string; limit: number }): Promise<JourneyUserSummary[]> {
    const prefix = o.prefix ?? ''
    const rows = this.s.usersOf.all(journeyId, prefix, `${prefix}\u{10FFFF}`, o.limit)
    const latest = await this.loadRuns(rows.map((r) => r.run_id))
    return rows.map((r) => {
      const run = latest.get(r.run_id)
      return {
        userId: r.user_id,
        runs: r.runs,
        status: run?.status ?? 'completed',
        currentNodeId: run?.currentNodeId ?? null,
        lastActivityAt: r.last,
      }
    })
  }
  async activeTotals(): Promise<Map<string, number>> {
    return new Map(this.s.activeTotals.all().map((r) => [r.journey_id, r.n]))
  }
  async activeCounts(journeyId: string): Promise<{ version: number; nodeId: string | null; count: number }[]> {
    return this.s.activeCounts.all(journeyId).map((r) => ({ version: r.version, nodeId: r.node_id, count: r.n }))
  }
  async activeRuns(journeyId: string): Promise<RunRecord[]> {
    return this.s.activeRunsOf.all(journeyId).map(runFromRow)
  }
  async counters(journeyId: string, version?: number): Promise<CounterDelta[]> {
    return this.s.counters
      .all(journeyId)
      .filter((r) => version === undefined || r.version === version)
      .map((r) => ({ journeyId, version: r.version, nodeId: r.node_id, metric: r.metric, delta: r.count }))
  }
  async stats(journeyId: string, version?: number): Promise<JourneyStats> {
    return buildStats(await this.counters(journeyId, version), (await this.activeCounts(journeyId)).filter((a) => version === undefined || a.version === version))
  }
  async heldEvents(journeyId: string, limit: number): Promise<{ runId: string; seq: number }[]> {
    return this.s.heldOf.all(journeyId, limit).map((r) => ({ runId: r.run_id, seq: r.seq }))
  }

  async claimOutbox(kind: OutboxJob['kind'], limit: number, now: number): Promise<StoredOutboxClaim[]> {
    return this.s.claimOutbox.all(kind, now, limit).map(outboxClaimFromRow)
  }
  async completeOutbox(ids: string[]): Promise<void> {
    if (ids.length > 0) this.s.deleteOutbox.run(JSON.stringify(ids))
  }
  async deferOutbox(id: string, availableAt: number, history?: HistoryRecord): Promise<void> {
    const settled = encodeSettle({ complete: [], defer: [{ id, availableAt }], history: history ? [history] : [], joined: [] })
    await writeTransaction(this.db, () => this.settleRows(settled))
  }
  async nextOutboxDue(): Promise<number | null> {
    return this.s.outboxNext.get()?.t ?? null
  }

  async outboxPending(): Promise<number> {
    return this.s.outboxCount.get()?.n ?? 0
  }
  /** Outbox rows done and kept for later, their history, and the other stores' joined writes, inside the caller's transaction. */
  private settleRows({ complete, defer, history, joined }: EncodedSettle): void {
    if (complete.length > 0) this.s.deleteOutbox.run(JSON.stringify(complete))
    for (const d of defer) this.s.deferOutbox.run(d.availableAt, d.id)
    for (const h of history) this.s.insertHistory.run(...h)
    for (const j of joined) j.sqlite(this.db)
  }
  async appendHistory(rows: HistoryRecord[]): Promise<void> {
    const columns = rows.map(historyColumns)
    await writeTransaction(this.db, () => columns.forEach((h) => this.s.insertHistory.run(...h)))
  }
}

/** Settlement rows with their history encoded, before the write lock is taken. */
type EncodedSettle = Omit<OutboxSettleRows, 'history'> & { history: ReturnType<typeof historyColumns>[] }

function encodeSettle(rows: OutboxSettleRows): EncodedSettle {
  return { ...rows, history: rows.history.map(historyColumns) }
}

/** A commit with its JSON columns encoded: what the write transaction only has to run. */
interface EncodedCommit extends Pick<EngineCommit, 'timersCleared' | 'timersSet' | 'counters' | 'held' | 'heldReleased' | 'entered' | 'goalWatchesCleared' | 'appliedSeq'> {
  users: [string, string, number][]
  runs: ReturnType<typeof runColumns>[]
  history: ReturnType<typeof historyColumns>[]
  outbox: [string, string, string, number][]
  goalWatchesSet: ReturnType<typeof goalWatchColumns>[]
}

function encodeCommit(c: EngineCommit): EncodedCommit {
  const now = Date.now()
  return {
    ...c,
    users: [...c.users.values()].map((u) => [u.userId, StoredTraits.encode(u.traits), now]),
    runs: [...c.runs.values()].map(runColumns),
    history: c.history.map(historyColumns),
    outbox: c.outbox.map((o) => [o.id, o.kind, StoredOutboxJob.encode(o.job), o.createdAt]),
    goalWatchesSet: c.goalWatchesSet.map(goalWatchColumns),
  }
}
