import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { IngestedEvent, OutboxJob } from '@switchyard/schema'
import { inTransaction, migratePostgres } from '@switchyard/storage'
import type { CounterDelta, HistoryRecord, JournalEntry, RunRecord, TimerRecord, UserRecord } from '../records'
import type { AppendResult, EngineCommit, EngineStore, StoredOutboxClaim, OutboxSettleRows, UserState } from '../store'
import { ENGINE_MIGRATIONS } from '../migrations'
import { DEFAULT_PARTITIONS, partitionOf } from '../partition'
// Row shapes and mappings, shared with the SQLite store.
import * as codec from '../rows'
import { RUN_COLUMNS } from '../rows'
import { StoredOutboxJob, StoredTraits } from '../stored'
import { SharedJournal, prepareShared, type PartitionScope } from './shared'
import { PgJourneyStore, activeRunsOf, bumpMeta, count, type Queryable } from './journeys'
import { columnsOf, lastByKey, named, recordset, sumCounters } from './rowsets'

const JOURNAL_COLUMNS = 'seq, message_id, type, user_id, payload, "timestamp", received_at'
/** The names of the values `codec.runColumns` and `codec.historyColumns` give, in their order. */
const RUN_WRITE_COLUMNS = [...RUN_COLUMNS.split(', '), 'updated_at']
const HISTORY_COLUMNS = ['run_id', 'journey_id', 'at', 'node_id', 'kind', 'outlet', 'message_id', 'detail']

/**
 * Appends hold this transaction-level advisory lock from before they draw sequence numbers until
 * they commit, so journal rows become visible in sequence order across every process: a reader's
 * cursor can never pass a row that commits later with a smaller `seq`.
 */
const JOURNAL_APPEND_LOCK = 0x5357_4a31 // "SWJ1"

/** The channel a shared store notifies when it appends to the journal. */
export const JOURNAL_CHANNEL = 'switchyard_journal'

/**
 * How long a claimed outbox row stays out of other processes' claims unless settled first: a
 * killed process's rows go to the others within the 15 s its partitions take. A handler slower
 * than that may see its job handed out again, which at-least-once delivery allows (handlers are
 * idempotent by job id).
 */
export const OUTBOX_CLAIM_LEASE_MS = 15_000

export interface PgEngineStoreOptions {
  /** Partitions for a new database (`PARTITIONS`); a database keeps the number it was created with. */
  partitions?: number
  /** Default `OUTBOX_CLAIM_LEASE_MS`. */
  outboxClaimLeaseMs?: number
  /**
   * Several processes share the database: this one applies the events and fires the timers of
   * the partitions `scope` holds, and its commits are fenced by them (see `SharedJournal`).
   */
  scope?: PartitionScope
}

/**
 * The engine's storage on PostgreSQL. Several processes may share one database: journal order is
 * commit order, outbox claims are exclusive between processes for a lease, and every batch method
 * is a few statements with array parameters, never one per row. The pool is the caller's: `close`
 * leaves it open for the other stores on it.
 */
export class PgEngineStore extends PgJourneyStore implements EngineStore {
  readonly kind = 'postgres'
  /** This store's name on the outbox rows it claims. */
  private readonly claimer = randomUUID()

  private constructor(
    pool: pg.Pool,
    /** The number of partitions the database was created with. */
    readonly partitions: number,
    private readonly claimLeaseMs: number,
    scope: PartitionScope | undefined,
  ) {
    super(pool, scope ? new SharedJournal(pool, scope) : undefined)
  }

  /** Migrates the engine's tables (once, whoever starts first) and opens the store. */
  static async open(pool: pg.Pool, now: number = Date.now(), o: PgEngineStoreOptions = {}): Promise<PgEngineStore> {
    await migratePostgres(pool, [ENGINE_MIGRATIONS], now)
    const wanted = o.partitions ?? DEFAULT_PARTITIONS
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > 32_767) throw new Error(`partitions must be a whole number from 1 to 32767, not ${wanted}`)
    await pool.query(`INSERT INTO engine_meta (key, value) VALUES ('partitions', $1) ON CONFLICT (key) DO NOTHING`, [String(wanted)])
    const stored = await pool.query<{ value: string }>(`SELECT value FROM engine_meta WHERE key = 'partitions'`)
    const partitions = Number(stored.rows[0]?.value ?? wanted)
    await pool.query(`INSERT INTO engine_meta (key, value) VALUES ('publish_epoch', '0'), ('catalog_version', '0') ON CONFLICT DO NOTHING`)
    if (o.scope) await prepareShared(pool, partitions)
    return new PgEngineStore(pool, partitions, o.outboxClaimLeaseMs ?? OUTBOX_CLAIM_LEASE_MS, o.scope)
  }

  async close(): Promise<void> {}

  private partition(userId: string): number {
    return partitionOf(userId, this.partitions)
  }

  async appendEventGroups(groups: readonly IngestedEvent[][], settle?: OutboxSettleRows): Promise<AppendResult[]> {
    const events = groups.flat()
    if (events.length === 0) {
      if (settle) await inTransaction(this.pool, (c) => settleRows(c, settle))
      return groups.map(() => ({ accepted: 0, duplicates: 0, stored: [] }))
    }
    const inserted = await inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [JOURNAL_APPEND_LOCK])
      // Delivered at commit to every process LISTENing: workers wake instead of waiting for a poll.
      if (this.partitioned) await c.query(`SELECT pg_notify('${JOURNAL_CHANNEL}', '')`)
      // Rows go in in arrival order, so sequence numbers follow it. A message id already in the
      // journal or kept in dedupe_keys, or repeated in the batch after its first arrival, is left
      // out before the insert draws a number, so duplicates leave no gaps (the engine takes
      // contiguous entries from memory). The lock makes the check and the insert one step.
      const r = await c.query<{ seq: number; message_id: string }>(
        `INSERT INTO journal (partition, message_id, type, user_id, payload, "timestamp", received_at)
         SELECT e.partition, e.message_id, e.type, e.user_id, e.payload, e.ts, e.received_at
         FROM (
           SELECT DISTINCT ON (message_id) *
           FROM unnest($1::smallint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
             WITH ORDINALITY AS u(partition, message_id, type, user_id, payload, ts, received_at, ord)
           ORDER BY message_id, ord
         ) e
         WHERE NOT EXISTS (SELECT 1 FROM dedupe_keys d WHERE d.message_id = e.message_id)
           AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.message_id = e.message_id)
         ORDER BY e.ord
         RETURNING seq, message_id`,
        [
          events.map((e) => this.partition(e.userId)),
          events.map((e) => e.messageId),
          events.map((e) => e.type),
          events.map((e) => e.userId),
          events.map(codec.journalPayload),
          events.map((e) => e.timestamp),
          events.map((e) => e.receivedAt),
        ],
      )
      // Under the append lock, so two relays' joined writes (the same delivery after a lease
      // expired) queue behind each other instead of deadlocking on the lock and a row.
      if (settle) await settleRows(c, settle)
      return new Map(r.rows.map((row) => [row.message_id, row.seq]))
    })
    return groups.map((group) => {
      const stored: JournalEntry[] = []
      for (const e of group) {
        const seq = inserted.get(e.messageId)
        if (seq === undefined) continue
        inserted.delete(e.messageId)
        stored.push(codec.journalFields(e, seq))
      }
      return { accepted: stored.length, duplicates: group.length - stored.length, stored }
    })
  }

  async readJournal(afterSeq: number, limit: number): Promise<JournalEntry[]> {
    const r = await this.pool.query<codec.JournalRow>(`SELECT ${JOURNAL_COLUMNS} FROM journal WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit])
    return r.rows.map(codec.journalFromRow)
  }
  async readJournalSeqs(seqs: number[]): Promise<JournalEntry[]> {
    if (seqs.length === 0) return []
    const r = await this.pool.query<codec.JournalRow>(`SELECT ${JOURNAL_COLUMNS} FROM journal WHERE seq = ANY($1::bigint[]) ORDER BY seq`, [seqs])
    return r.rows.map(codec.journalFromRow)
  }
  async appliedSeq(): Promise<number> {
    const r = await this.pool.query<{ value: string }>(`SELECT value FROM engine_meta WHERE key = 'applied_seq'`)
    return Number(r.rows[0]?.value ?? 0)
  }
  async journalHead(): Promise<number> {
    const r = await this.pool.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM journal')
    return r.rows[0]?.seq ?? 0
  }

  async loadUsers(userIds: string[]): Promise<Map<string, UserState>> {
    const out = new Map<string, UserState>()
    for (const userId of userIds) out.set(userId, { userId, traits: {}, activeRuns: [], enteredJourneys: new Set(), goalWatches: [] })
    if (userIds.length === 0) return out
    const ids = [userIds]
    const [users, runs, entered, watches] = await Promise.all([
      this.pool.query<codec.UserRow>('SELECT user_id, traits FROM users WHERE user_id = ANY($1::text[])', ids),
      this.pool.query<codec.RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE status = 'active' AND user_id = ANY($1::text[])`, ids),
      this.pool.query<{ user_id: string; journey_id: string }>('SELECT user_id, journey_id FROM entered_journeys WHERE user_id = ANY($1::text[])', ids),
      this.pool.query<codec.GoalWatchRow>(
        'SELECT run_id, journey_id, version, user_id, entered_at, deadline, control, trigger_message_id, outlets FROM goal_watches WHERE user_id = ANY($1::text[])',
        ids,
      ),
    ])
    for (const row of users.rows) {
      const state = out.get(row.user_id)
      if (state) state.traits = StoredTraits.decode(row.traits)
    }
    for (const row of runs.rows) out.get(row.user_id)?.activeRuns.push(codec.runFromRow(row))
    for (const row of entered.rows) out.get(row.user_id)?.enteredJourneys.add(row.journey_id)
    for (const w of watches.rows) out.get(w.user_id)?.goalWatches.push(codec.goalWatchFromRow(w))
    return out
  }

  async getUser(userId: string): Promise<UserRecord | null> {
    const r = await this.pool.query<codec.UserRow>('SELECT user_id, traits FROM users WHERE user_id = $1', [userId])
    const row = r.rows[0]
    return row ? codec.userFromRow(row) : null
  }

  async profileBytes(userIds: readonly string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map()
    const r = await this.pool.query<{ user_id: string; bytes: number }>('SELECT user_id, octet_length(traits) AS bytes FROM users WHERE user_id = ANY($1::text[])', [userIds])
    return new Map(r.rows.map((row) => [row.user_id, Number(row.bytes)]))
  }

  async dueTimers(now: number, limit: number): Promise<TimerRecord[]> {
    const params: unknown[] = [now, limit]
    const r = await this.pool.query<codec.TimerRow>(
      `SELECT t.run_id, t.node_id, t.journey_id, t.user_id, t.due_at FROM timers t JOIN journeys j ON j.id = t.journey_id
       WHERE t.due_at <= $1 AND j.status = 'live'${this.scoped('t.partition', params)} ORDER BY t.due_at, t.run_id, t.node_id LIMIT $2`,
      params,
    )
    return r.rows.map(codec.timerFromRow)
  }
  async dueTimersOf(journeyId: string, until: number, limit: number): Promise<TimerRecord[]> {
    const params: unknown[] = [until, journeyId, limit]
    const r = await this.pool.query<codec.TimerRow>(
      `SELECT run_id, node_id, journey_id, user_id, due_at FROM timers WHERE due_at <= $1 AND journey_id = $2${this.scoped('partition', params)} ORDER BY due_at, run_id, node_id LIMIT $3`,
      params,
    )
    return r.rows.map(codec.timerFromRow)
  }
  async nextTimerDue(): Promise<number | null> {
    // In due order with a limit rather than min(): the index is walked from its start and stops at
    // the first live timer, instead of every waiting run's timer being joined.
    const params: unknown[] = []
    const r = await this.pool.query<{ due: number }>(
      `SELECT t.due_at AS due FROM timers t JOIN journeys j ON j.id = t.journey_id WHERE j.status = 'live'${this.scoped('t.partition', params)} ORDER BY t.due_at LIMIT 1`,
      params,
    )
    return r.rows[0]?.due ?? null
  }
  async pendingTimerCount(): Promise<number> {
    return count(this.pool, 'SELECT count(*) AS n FROM timers')
  }

  async commit(given: EngineCommit): Promise<void> {
    await inTransaction(this.pool, async (q) => {
      const shared = this.partitioned
      const v = given.version
      // A publish that moves runs may touch any partition: it moves the epoch instead, so batches
      // other processes loaded before it are dropped rather than written over it. Their commits
      // read the epoch FOR SHARE before writing, so from here until this commits none can write,
      // and the runs a migration reads next include every batch committed before.
      if (v) await bumpMeta(q, 'publish_epoch')
      else if (shared) await shared.guard(q, given, (userId) => this.partition(userId))
      const c = v?.migrate ? v.migrate(await activeRunsOf(q, v.record.journeyId)) : given
      if (v) await this.writeVersion(q, v.record, v.journey)
      if (c.users.size > 0) {
        const users = [...c.users.values()]
        await q.query(
          `INSERT INTO users (user_id, traits, updated_at) SELECT u.id, u.traits, $3::bigint FROM unnest($1::text[], $2::text[]) AS u(id, traits)
           ON CONFLICT (user_id) DO UPDATE SET traits = excluded.traits, updated_at = excluded.updated_at`,
          [users.map((u) => u.userId), users.map((u) => StoredTraits.encode(u.traits)), Date.now()],
        )
      }
      if (c.runs.size > 0) await this.upsertRuns(q, [...c.runs.values()])
      await insertHistory(q, c.history)
      if (c.outbox.length > 0) {
        await q.query(
          `INSERT INTO outbox (id, partition, kind, job, created_at)
           SELECT id, partition, kind, job, created_at FROM json_populate_recordset(null::outbox, $1) ON CONFLICT (id) DO NOTHING`,
          [recordset(c.outbox.map((o) => ({ id: o.id, partition: this.partition(o.job.context.user.id), kind: o.kind, job: StoredOutboxJob.encode(o.job), created_at: o.createdAt })))],
        )
      }
      if (c.timersCleared.length > 0) {
        await q.query('DELETE FROM timers t USING unnest($1::text[], $2::text[]) AS x(run_id, node_id) WHERE t.run_id = x.run_id AND t.node_id = x.node_id', [
          c.timersCleared.map((t) => t.runId),
          c.timersCleared.map((t) => t.nodeId),
        ])
      }
      // One statement may not touch a row twice: the last value set for a key wins, as it would one by one.
      const timers = [...lastByKey(c.timersSet, (t) => `${t.runId}\u0000${t.nodeId}`)]
      if (timers.length > 0) {
        await q.query(
          `INSERT INTO timers (run_id, node_id, journey_id, user_id, partition, due_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::bigint[])
           ON CONFLICT (run_id, node_id) DO UPDATE SET due_at = excluded.due_at`,
          [timers.map((t) => t.runId), timers.map((t) => t.nodeId), timers.map((t) => t.journeyId), timers.map((t) => t.userId), timers.map((t) => this.partition(t.userId)), timers.map((t) => t.dueAt)],
        )
      }
      const counters = sumCounters(c.counters)
      if (counters.length > 0) {
        await q.query(
          `INSERT INTO node_counters (journey_id, version, node_id, metric, count)
           SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::bigint[])
           ON CONFLICT (journey_id, version, node_id, metric) DO UPDATE SET count = node_counters.count + excluded.count`,
          [counters.map((k) => k.journeyId), counters.map((k) => k.version), counters.map((k) => k.nodeId), counters.map((k) => k.metric), counters.map((k) => k.delta)],
        )
      }
      if (c.held.length > 0) {
        await q.query('INSERT INTO held_events (run_id, journey_id, seq) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING', [
          c.held.map((h) => h.runId),
          c.held.map((h) => h.journeyId),
          c.held.map((h) => h.seq),
        ])
      }
      if (c.heldReleased.length > 0) {
        await q.query('DELETE FROM held_events h USING unnest($1::text[], $2::bigint[]) AS x(run_id, seq) WHERE h.run_id = x.run_id AND h.seq = x.seq', [
          c.heldReleased.map((h) => h.runId),
          c.heldReleased.map((h) => h.seq),
        ])
      }
      if (c.entered.length > 0) {
        await q.query('INSERT INTO entered_journeys (user_id, journey_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [
          c.entered.map((e) => e.userId),
          c.entered.map((e) => e.journeyId),
        ])
      }
      const watches = [...lastByKey(c.goalWatchesSet, (w) => w.runId)].map(codec.goalWatchColumns)
      if (watches.length > 0) {
        await q.query(
          `INSERT INTO goal_watches (run_id, journey_id, version, user_id, entered_at, deadline, control, trigger_message_id, outlets)
           SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[], $6::bigint[], $7::smallint[], $8::text[], $9::text[])
           ON CONFLICT (run_id) DO UPDATE SET journey_id = excluded.journey_id, version = excluded.version, user_id = excluded.user_id,
             entered_at = excluded.entered_at, deadline = excluded.deadline, control = excluded.control,
             trigger_message_id = excluded.trigger_message_id, outlets = excluded.outlets`,
          columnsOf(watches, 9),
        )
      }
      if (c.goalWatchesCleared.length > 0) await q.query('DELETE FROM goal_watches WHERE run_id = ANY($1::text[])', [c.goalWatchesCleared])
      if (shared && c.appliedSeqs) await shared.markApplied(q, c.appliedSeqs)
      if (c.appliedSeq !== null) {
        await q.query(`INSERT INTO engine_meta (key, value) VALUES ('applied_seq', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [String(c.appliedSeq)])
      }
    })
  }

  private async upsertRuns(q: Queryable, runs: RunRecord[]): Promise<void> {
    const rows = runs.map((r) => ({ ...named(RUN_WRITE_COLUMNS, codec.runColumns(r)), partition: this.partition(r.userId) }))
    await q.query(
      `INSERT INTO runs (${RUN_COLUMNS}, updated_at, partition)
       SELECT ${RUN_COLUMNS}, updated_at, partition FROM json_populate_recordset(null::runs, $1)
       ON CONFLICT (run_id) DO UPDATE SET version = excluded.version, status = excluded.status, state_key = excluded.state_key,
         current_node_id = excluded.current_node_id, context = excluded.context, waiting_until = excluded.waiting_until,
         ended_at = excluded.ended_at, updated_at = excluded.updated_at`,
      [recordset(rows)],
    )
  }

  /**
   * Rows due now, soonest and oldest first. A row this store claimed comes back to it until it is
   * settled (its dispatcher tracks what is in flight, as on SQLite); other stores skip it for the
   * claim lease, after which a claimer that died has its rows handed to the others.
   */
  async claimOutbox(kind: OutboxJob['kind'], limit: number, now: number): Promise<StoredOutboxClaim[]> {
    const r = await this.pool.query<codec.OutboxRow & { available_at: number; seq: number }>(
      `WITH picked AS (
         SELECT id FROM outbox
         WHERE kind = $1 AND available_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2 OR claimed_by = $3)
         ORDER BY available_at, seq LIMIT $4
         FOR UPDATE SKIP LOCKED)
       UPDATE outbox o SET claimed_by = $3, claimed_until = $5 FROM picked WHERE o.id = picked.id
       RETURNING o.id, o.job, o.created_at, o.attempts, o.available_at, o.seq`,
      [kind, now, this.claimer, limit, now + this.claimLeaseMs],
    )
    return r.rows.sort((a, b) => a.available_at - b.available_at || a.seq - b.seq).map(codec.outboxClaimFromRow)
  }
  async completeOutbox(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.pool.query('DELETE FROM outbox WHERE id = ANY($1::text[])', [ids])
  }
  async deferOutbox(id: string, availableAt: number, history?: HistoryRecord): Promise<void> {
    await inTransaction(this.pool, (c) => settleRows(c, { complete: [], defer: [{ id, availableAt }], history: history ? [history] : [], joined: [] }))
  }
  async nextOutboxDue(): Promise<number | null> {
    // One index lookup per kind (outbox_due leads with kind).
    const r = await this.pool.query<{ t: number | null }>(
      "SELECT least((SELECT min(available_at) FROM outbox WHERE kind = 'message'), (SELECT min(available_at) FROM outbox WHERE kind = 'webhook')) AS t",
    )
    return r.rows[0]?.t ?? null
  }

  async outboxPending(): Promise<number> {
    return count(this.pool, 'SELECT count(*) AS n FROM outbox')
  }
  async appendHistory(rows: HistoryRecord[]): Promise<void> {
    await insertHistory(this.pool, rows)
  }
}

/** Outbox rows done and kept for later, their history, and the other stores' joined writes, on the transaction's client. */
async function settleRows(c: pg.PoolClient, { complete, defer, history, joined }: OutboxSettleRows): Promise<void> {
  if (complete.length > 0) await c.query('DELETE FROM outbox WHERE id = ANY($1::text[])', [complete])
  if (defer.length > 0) {
    await c.query(
      `UPDATE outbox o SET available_at = d.available_at, attempts = o.attempts + 1, claimed_by = NULL, claimed_until = NULL
       FROM unnest($1::text[], $2::bigint[]) AS d(id, available_at) WHERE o.id = d.id`,
      [defer.map((d) => d.id), defer.map((d) => d.availableAt)],
    )
  }
  await insertHistory(c, history)
  for (const j of joined) await j.postgres(c)
}

async function insertHistory(q: Queryable, rows: readonly HistoryRecord[]): Promise<void> {
  if (rows.length === 0) return
  await q.query(
    `INSERT INTO history (run_id, journey_id, at, node_id, kind, outlet, message_id, detail)
     SELECT h.run_id, h.journey_id, h.at, h.node_id, h.kind, h.outlet, h.message_id, h.detail
     FROM json_populate_recordset(null::history, $1) WITH ORDINALITY AS h
     ORDER BY h.ordinality`,
    [recordset(rows.map((h) => named(HISTORY_COLUMNS, codec.historyColumns(h))))],
  )
}
