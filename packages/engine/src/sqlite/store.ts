import type Database from 'better-sqlite3'
import type { IngestedEvent, JourneyStats, OutboxJob } from '@switchyard/schema'
import type { CounterDelta, HistoryRecord, JournalEntry, JourneyRecord, JourneyVersionRecord, RunRecord, TimerRecord, UserRecord } from '../records'
import type { AppendResult, EngineCommit, EngineStore, HistoryPageRow, JourneyUserSummary, OutboxClaim, RunKey, RunWithHistory, UserState } from '../store'
import { buildStats } from '../stats'
import { migrateSqlite } from '@switchyard/storage'
import { ENGINE_MIGRATIONS } from '../migrations'
import {
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
  publishedFromRow,
  runColumns,
  runFromRow,
  timerFromRow,
  userFromRow,
  versionColumns,
  versionFromRow,
  type GoalWatchRow,
  type HistoryRow,
  type JournalRow,
  type JourneyRow,
  type OutboxRow,
  type PublishedRow,
  type RunRow,
  type TimerRow,
  type UserRow,
  type VersionRow,
} from '../rows'
import { StoredOutboxJob, StoredTraits } from '../stored'

const RUN_COLUMNS =
  'run_id, journey_id, version, user_id, status, state_key, current_node_id, context, waiting_until, started_at, ended_at'

/** The engine's storage on one SQLite file (better-sqlite3: synchronous, so each call is atomic). */
export class SqliteEngineStore implements EngineStore {
  readonly kind = 'sqlite'
  private readonly s
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
    const p = <P extends unknown[], R = unknown>(sql: string) => db.prepare<P, R>(sql)
    this.s = {
      insertEvent: p<[string, string, string, string, number, number]>(
        'INSERT OR IGNORE INTO journal (message_id, type, user_id, payload, timestamp, received_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      dedupeKeyExists: p<[string], { found: number }>('SELECT 1 AS found FROM dedupe_keys WHERE message_id = ?'),
      anyDedupeKey: p<[], { found: number }>('SELECT 1 AS found FROM dedupe_keys LIMIT 1'),
      readJournal: p<[number, number], JournalRow>('SELECT * FROM journal WHERE seq > ? ORDER BY seq LIMIT ?'),
      journalBySeqs: p<[string], JournalRow>('SELECT * FROM journal WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq'),
      journalHead: p<[], { seq: number | null }>('SELECT max(seq) AS seq FROM journal'),
      getMeta: p<[string], { value: string }>('SELECT value FROM engine_meta WHERE key = ?'),
      setMeta: p<[string, string]>('INSERT INTO engine_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      usersByIds: p<[string], UserRow>('SELECT user_id, traits FROM users WHERE user_id IN (SELECT value FROM json_each(?))'),
      activeRunsByUsers: p<[string], RunRow>(
        `SELECT ${RUN_COLUMNS} FROM runs WHERE status = 'active' AND user_id IN (SELECT value FROM json_each(?))`,
      ),
      enteredByUsers: p<[string], { user_id: string; journey_id: string }>(
        'SELECT user_id, journey_id FROM entered_journeys WHERE user_id IN (SELECT value FROM json_each(?))',
      ),
      markEntered: p<[string, string]>('INSERT OR IGNORE INTO entered_journeys (user_id, journey_id) VALUES (?, ?)'),
      runsByIds: p<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id IN (SELECT value FROM json_each(?))`),
      getUser: p<[string], UserRow>('SELECT user_id, traits FROM users WHERE user_id = ?'),
      upsertUser: p<[string, string, number]>(
        'INSERT INTO users (user_id, traits, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET traits = excluded.traits, updated_at = excluded.updated_at',
      ),
      upsertRun: p<[string, string, number, string, string, string, string | null, string, number | null, number, number | null, number]>(
        `INSERT INTO runs (${RUN_COLUMNS}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET version = excluded.version, status = excluded.status, state_key = excluded.state_key,
           current_node_id = excluded.current_node_id, context = excluded.context, waiting_until = excluded.waiting_until,
           ended_at = excluded.ended_at, updated_at = excluded.updated_at`,
      ),
      insertHistory: p<[string, string, number, string, string, string | null, string | null, string | null]>(
        'INSERT INTO history (run_id, journey_id, at, node_id, kind, outlet, message_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertOutbox: p<[string, string, string, number]>('INSERT OR IGNORE INTO outbox (id, kind, job, created_at) VALUES (?, ?, ?, ?)'),
      setTimer: p<[string, string, string, string, number]>(
        'INSERT INTO timers (run_id, node_id, journey_id, user_id, due_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, node_id) DO UPDATE SET due_at = excluded.due_at',
      ),
      clearTimer: p<[string, string]>('DELETE FROM timers WHERE run_id = ? AND node_id = ?'),
      bumpCounter: p<[string, number, string, string, number]>(
        'INSERT INTO node_counters (journey_id, version, node_id, metric, count) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count',
      ),
      hold: p<[string, string, number]>('INSERT OR IGNORE INTO held_events (run_id, journey_id, seq) VALUES (?, ?, ?)'),
      release: p<[string, number]>('DELETE FROM held_events WHERE run_id = ? AND seq = ?'),
      dueTimers: p<[number, number], TimerRow>(
        `SELECT t.* FROM timers t JOIN journeys j ON j.id = t.journey_id
         WHERE t.due_at <= ? AND j.status = 'live' ORDER BY t.due_at LIMIT ?`,
      ),
      dueTimersOf: p<[number, string, number], TimerRow>('SELECT * FROM timers WHERE due_at <= ? AND journey_id = ? ORDER BY due_at LIMIT ?'),
      nextTimer: p<[], { due: number | null }>(
        `SELECT min(t.due_at) AS due FROM timers t JOIN journeys j ON j.id = t.journey_id WHERE j.status = 'live'`,
      ),
      timerCount: p<[], { n: number }>('SELECT count(*) AS n FROM timers'),
      insertJourney: p<[string, string, string, string, string, number | null, string | null, number, number]>(
        'INSERT INTO journeys (id, name, status, graph, settings, version, published_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      updateJourney: p<[string, string, string, string, number | null, string | null, number, string]>(
        'UPDATE journeys SET name = ?, status = ?, graph = ?, settings = ?, version = ?, published_hash = ?, updated_at = ? WHERE id = ?',
      ),
      getJourney: p<[string], JourneyRow>('SELECT * FROM journeys WHERE id = ?'),
      listJourneys: p<[], JourneyRow>('SELECT * FROM journeys ORDER BY created_at DESC, id'),
      insertVersion: p<[string, number, string, string, string, string, number]>(
        'INSERT INTO journey_versions (journey_id, version, graph, settings, machine, hash, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      getVersion: p<[string, number], VersionRow>('SELECT * FROM journey_versions WHERE journey_id = ? AND version = ?'),
      listVersions: p<[string], VersionRow>('SELECT * FROM journey_versions WHERE journey_id = ? ORDER BY version'),
      published: p<[], PublishedRow>(
        `SELECT j.*, v.machine AS v_machine, v.graph AS v_graph, v.settings AS v_settings, v.hash AS v_hash, v.published_at AS v_published_at
         FROM journeys j JOIN journey_versions v ON v.journey_id = j.id AND v.version = j.version WHERE j.version IS NOT NULL`,
      ),
      runsOf: p<[string, string], RunRow>(
        `SELECT ${RUN_COLUMNS} FROM runs WHERE journey_id = ? AND user_id = ? ORDER BY started_at DESC, run_id DESC`,
      ),
      historyOf: p<[string], HistoryRow>('SELECT * FROM history WHERE run_id = ? ORDER BY id'),
      runsPage: p<[string, string, number, number, string, number], RunRow>(
        `SELECT ${RUN_COLUMNS} FROM runs WHERE journey_id = ? AND user_id = ? AND (started_at < ? OR (started_at = ? AND run_id < ?))
         ORDER BY started_at DESC, run_id DESC LIMIT ?`,
      ),
      historyPage: p<[string, number, number], HistoryRow & { id: number }>('SELECT * FROM history WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?'),
      usersOf: p<[string, string, string, number], { user_id: string; runs: number; last: number; run_id: string }>(
        `SELECT user_id, count(*) AS runs, max(updated_at) AS last, max(run_id) AS run_id FROM runs
         WHERE journey_id = ? AND user_id >= ? AND user_id < ? GROUP BY user_id ORDER BY last DESC LIMIT ?`,
      ),
      activeTotals: p<[], { journey_id: string; n: number }>(`SELECT journey_id, count(*) AS n FROM runs WHERE status = 'active' GROUP BY journey_id`),
      activeCounts: p<[string], { version: number; node_id: string | null; n: number }>(
        `SELECT version, current_node_id AS node_id, count(*) AS n FROM runs WHERE journey_id = ? AND status = 'active' GROUP BY version, current_node_id`,
      ),
      activeRunsOf: p<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE journey_id = ? AND status = 'active' ORDER BY started_at, run_id`),
      counters: p<[string], { version: number; node_id: string; metric: string; count: number }>(
        'SELECT version, node_id, metric, count FROM node_counters WHERE journey_id = ?',
      ),
      watchesByUsers: p<[string], GoalWatchRow>(
        'SELECT * FROM goal_watches WHERE user_id IN (SELECT value FROM json_each(?))',
      ),
      setWatch: p<[string, string, number, string, number, number, number, string, string | null]>(
        'INSERT OR REPLACE INTO goal_watches (run_id, journey_id, version, user_id, entered_at, deadline, control, trigger_message_id, outlets) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      clearWatch: p<[string]>('DELETE FROM goal_watches WHERE run_id = ?'),
      heldOf: p<[string, number], { run_id: string; seq: number }>('SELECT run_id, seq FROM held_events WHERE journey_id = ? ORDER BY seq LIMIT ?'),
      claimOutbox: p<[string, number, number], OutboxRow>(
        'SELECT id, job, created_at, attempts FROM outbox WHERE kind = ? AND available_at <= ? ORDER BY available_at, seq LIMIT ?',
      ),
      deferOutbox: p<[number, string]>('UPDATE outbox SET available_at = ?, attempts = attempts + 1 WHERE id = ?'),
      deleteOutbox: p<[string]>('DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))'),
      outboxCount: p<[], { n: number }>('SELECT count(*) AS n FROM outbox'),
      // One index lookup per kind (outbox_due leads with kind).
      outboxNext: p<[], { t: number | null }>(
        "SELECT min(t) AS t FROM (SELECT min(available_at) AS t FROM outbox WHERE kind = 'message' UNION ALL SELECT min(available_at) FROM outbox WHERE kind = 'webhook')",
      ),
      deleteJourneyRows: [
        'DELETE FROM held_events WHERE journey_id = ?',
        'DELETE FROM goal_watches WHERE journey_id = ?',
        'DELETE FROM timers WHERE journey_id = ?',
        'DELETE FROM node_counters WHERE journey_id = ?',
        'DELETE FROM history WHERE journey_id = ?',
        'DELETE FROM runs WHERE journey_id = ?',
        'DELETE FROM entered_journeys WHERE journey_id = ?',
        'DELETE FROM journey_versions WHERE journey_id = ?',
        'DELETE FROM journeys WHERE id = ?',
      ].map((sql) => p<[string]>(sql)),
    }
    this.dedupeKeys = this.s.anyDedupeKey.get() !== undefined
  }

  /** Retention calls this after it adds or prunes `dedupe_keys` rows. */
  dedupeKeysChanged(): void {
    this.dedupeKeys = this.s.anyDedupeKey.get() !== undefined
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }

  async appendEventGroups(groups: readonly IngestedEvent[][]): Promise<AppendResult[]> {
    return this.appendEventGroupsSync(groups)
  }

  appendEventGroupsSync(groups: readonly IngestedEvent[][]): AppendResult[] {
    const results: AppendResult[] = []
    this.db
      .transaction(() => {
        for (const events of groups) {
          const stored: JournalEntry[] = []
          for (const e of events) {
            if (this.dedupeKeys && this.s.dedupeKeyExists.get(e.messageId) !== undefined) continue
            const r = this.s.insertEvent.run(e.messageId, e.type, e.userId, journalPayload(e), e.timestamp, e.receivedAt)
            // The entry as journalFromRow would read it back: the payload's fields, or absent.
            if (r.changes === 1) stored.push(journalFields(e, Number(r.lastInsertRowid)))
          }
          results.push({ accepted: stored.length, duplicates: events.length - stored.length, stored })
        }
      })
      .immediate()
    return results
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

  async commit(c: EngineCommit): Promise<void> {
    this.commitSync(c)
  }

  commitSync(c: EngineCommit): void {
    const s = this.s
    this.db
      .transaction(() => {
        if (c.version) this.writeVersion(c.version.record, c.version.journey)
        for (const u of c.users.values()) s.upsertUser.run(u.userId, StoredTraits.encode(u.traits), Date.now())
        for (const r of c.runs.values()) s.upsertRun.run(...runColumns(r))
        for (const h of c.history) s.insertHistory.run(...historyColumns(h))
        for (const o of c.outbox) s.insertOutbox.run(o.id, o.kind, StoredOutboxJob.encode(o.job), o.createdAt)
        for (const t of c.timersCleared) s.clearTimer.run(t.runId, t.nodeId)
        for (const t of c.timersSet) s.setTimer.run(t.runId, t.nodeId, t.journeyId, t.userId, t.dueAt)
        for (const k of c.counters) s.bumpCounter.run(k.journeyId, k.version, k.nodeId, k.metric, k.delta)
        for (const h of c.held) s.hold.run(h.runId, h.journeyId, h.seq)
        for (const h of c.heldReleased) s.release.run(h.runId, h.seq)
        for (const e of c.entered) s.markEntered.run(e.userId, e.journeyId)
        for (const w of c.goalWatchesSet) s.setWatch.run(...goalWatchColumns(w))
        for (const runId of c.goalWatchesCleared) s.clearWatch.run(runId)
        if (c.appliedSeq !== null) s.setMeta.run('applied_seq', String(c.appliedSeq))
      })
      .immediate()
  }

  async insertJourney(j: JourneyRecord): Promise<void> {
    const [name, status, graph, settings, version, hash, updatedAt] = journeyColumns(j)
    this.s.insertJourney.run(j.id, name, status, graph, settings, version, hash, j.createdAt, updatedAt)
  }
  async updateJourney(j: JourneyRecord): Promise<void> {
    this.s.updateJourney.run(...journeyColumns(j), j.id)
  }
  async getJourney(id: string): Promise<JourneyRecord | null> {
    const row = this.s.getJourney.get(id)
    return row ? journeyFromRow(row) : null
  }
  async listJourneys(): Promise<JourneyRecord[]> {
    return this.s.listJourneys.all().map(journeyFromRow)
  }
  async deleteJourney(id: string): Promise<void> {
    this.db.transaction(() => this.s.deleteJourneyRows.forEach((st) => st.run(id))).immediate()
  }
  async insertVersion(v: JourneyVersionRecord, j: JourneyRecord): Promise<void> {
    this.db.transaction(() => this.writeVersion(v, j)).immediate()
  }
  private writeVersion(v: JourneyVersionRecord, j: JourneyRecord): void {
    this.s.insertVersion.run(v.journeyId, v.version, ...versionColumns(v))
    this.s.updateJourney.run(...journeyColumns(j), j.id)
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

  async claimOutbox(kind: OutboxJob['kind'], limit: number, now: number): Promise<OutboxClaim[]> {
    return this.s.claimOutbox.all(kind, now, limit).map(outboxClaimFromRow)
  }
  async completeOutbox(ids: string[]): Promise<void> {
    if (ids.length > 0) this.s.deleteOutbox.run(JSON.stringify(ids))
  }
  async deferOutbox(id: string, availableAt: number, history?: HistoryRecord): Promise<void> {
    this.db
      .transaction(() => {
        this.s.deferOutbox.run(availableAt, id)
        if (history) this.s.insertHistory.run(...historyColumns(history))
      })
      .immediate()
  }
  async nextOutboxDue(): Promise<number | null> {
    return this.s.outboxNext.get()?.t ?? null
  }

  async outboxPending(): Promise<number> {
    return this.s.outboxCount.get()?.n ?? 0
  }
  async settleOutbox(complete: readonly string[], defer: readonly { id: string; availableAt: number }[], history: readonly HistoryRecord[]): Promise<void> {
    this.db
      .transaction(() => {
        if (complete.length > 0) this.s.deleteOutbox.run(JSON.stringify(complete))
        for (const d of defer) this.s.deferOutbox.run(d.availableAt, d.id)
        for (const h of history) this.s.insertHistory.run(...historyColumns(h))
      })
      .immediate()
  }
  async appendHistory(rows: HistoryRecord[]): Promise<void> {
    this.db.transaction(() => rows.forEach((h) => this.s.insertHistory.run(...historyColumns(h)))).immediate()
  }
}
