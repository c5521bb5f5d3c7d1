import { performance } from 'node:perf_hooks'
import type pg from 'pg'
import { parseHistoryMark, yieldToEventLoop, type Retention, type RetentionOptions, type RetentionPass, type RetentionPolicy } from '../retention'
import { StoredHistoryMark } from '../stored'
import type { PgEngineStore } from './store'

/** Held for a whole pass, so processes sharing a database never run two passes at once. */
const RETENTION_LOCK = 0x5357_5231 // "SWR1"

/**
 * Retention on PostgreSQL: the same rules and batches as on SQLite (see `Retention`). A pass runs
 * on one connection under a session advisory lock; a process that finds another's pass under way
 * does nothing this time. Freed space is PostgreSQL's (autovacuum reuses it): `pagesFreed` is 0.
 */
export class PgRetention implements Retention {
  private readonly batchSize: number
  private readonly onStep: ((ms: number) => void) | undefined

  constructor(
    private readonly store: PgEngineStore,
    private readonly policy: RetentionPolicy,
    o: RetentionOptions = {},
  ) {
    this.batchSize = o.batchSize ?? 1000
    this.onStep = o.onStep
  }

  async run(now: number): Promise<RetentionPass> {
    const started = performance.now()
    const pass: RetentionPass = { journalRows: 0, historyRows: 0, runs: 0, dedupeKeysKept: 0, dedupeKeysPruned: 0, pagesFreed: 0, ms: 0, longestBatchMs: 0 }
    const client = await this.store.pool.connect()
    try {
      const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RETENTION_LOCK])
      if (locked.rows[0]?.ok !== true) return pass
      try {
        const timed = <T>(work: () => Promise<T>): Promise<T> => this.step(pass, () => transaction(client, work))
        await this.pruneJournal(client, now, pass, timed)
        await this.pruneDedupeKeys(client, now, pass, timed)
        await this.pruneHistory(client, now, pass, timed)
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK])
      }
    } finally {
      client.release()
    }
    pass.ms = performance.now() - started
    return pass
  }

  private async pruneJournal(c: pg.PoolClient, now: number, pass: RetentionPass, timed: Timed): Promise<void> {
    const one = async <R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R | undefined> => (await c.query<R>(sql, values)).rows[0]
    const head = (await one<{ seq: number | null }>('SELECT max(seq) AS seq FROM journal'))?.seq ?? 0
    // Alone, the store moves one cursor. Shared, each partition has its own: everything before the
    // first entry any partition has not applied is applied (a partition without events holds nothing back).
    const shared = (await one<{ n: number }>('SELECT count(*)::int AS n FROM partition_cursors'))?.n ?? 0
    const firstUnapplied =
      shared > 0
        ? (await one<{ seq: number | null }>(
            `SELECT min(u.seq) AS seq FROM partition_cursors c
             CROSS JOIN LATERAL (SELECT seq FROM journal j WHERE j.partition = c.partition AND j.seq > c.applied_seq ORDER BY seq LIMIT 1) u`,
          ))?.seq ?? null
        : null
    const applied =
      shared > 0 ? (firstUnapplied === null ? head : firstUnapplied - 1) : Number((await one<{ value: string }>(`SELECT value FROM engine_meta WHERE key = 'applied_seq'`))?.value ?? 0)
    const goalFloor = (await one<{ at: number | null }>('SELECT min(entered_at) AS at FROM goal_watches WHERE deadline > $1', [now]))?.at ?? Number.POSITIVE_INFINITY
    const cutoff = Math.min(now - this.policy.journalMs, goalFloor)
    // Seq and received time grow together: the first row received at or after the cutoff bounds the deletable range.
    const firstKept = Number.isFinite(cutoff) ? (await one<{ seq: number }>('SELECT seq FROM journal WHERE received_at >= $1 ORDER BY seq LIMIT 1', [cutoff]))?.seq : undefined
    const end = Math.min(firstKept ?? Number.POSITIVE_INFINITY, applied + 1, head)
    const keepFrom = now - this.policy.dedupeWindowMs
    let from = 0
    while (from < end - 1) {
      const to = (await one<{ seq: number }>('SELECT seq FROM journal WHERE seq > $1 AND seq < $2 ORDER BY seq LIMIT 1 OFFSET $3', [from, end, this.batchSize - 1]))?.seq ?? end - 1
      await timed(async () => {
        const kept = await c.query(
          `INSERT INTO dedupe_keys (message_id, received_at)
           SELECT message_id, received_at FROM journal j
           WHERE j.seq > $1 AND j.seq <= $2 AND j.received_at >= $3 AND NOT EXISTS (SELECT 1 FROM held_events h WHERE h.seq = j.seq)
           ON CONFLICT DO NOTHING`,
          [from, to, keepFrom],
        )
        pass.dedupeKeysKept += kept.rowCount ?? 0
        const deleted = await c.query('DELETE FROM journal j WHERE j.seq > $1 AND j.seq <= $2 AND NOT EXISTS (SELECT 1 FROM held_events h WHERE h.seq = j.seq)', [from, to])
        pass.journalRows += deleted.rowCount ?? 0
      })
      from = to
      await yieldToEventLoop()
    }
  }

  private async pruneDedupeKeys(c: pg.PoolClient, now: number, pass: RetentionPass, timed: Timed): Promise<void> {
    const before = now - this.policy.dedupeWindowMs
    for (;;) {
      const n = await timed(async () => {
        const r = await c.query('DELETE FROM dedupe_keys WHERE message_id IN (SELECT message_id FROM dedupe_keys WHERE received_at < $1 LIMIT $2)', [before, this.batchSize])
        return r.rowCount ?? 0
      })
      pass.dedupeKeysPruned += n
      if (n < this.batchSize) return
      await yieldToEventLoop()
    }
  }

  /** Ended runs past the cutoff go with their history, walked in end order from a mark in `engine_meta`. */
  private async pruneHistory(c: pg.PoolClient, now: number, pass: RetentionPass, timed: Timed): Promise<void> {
    const cutoff = now - this.policy.historyMs
    const runsPerBatch = Math.max(1, Math.floor(this.batchSize / 10))
    const markRow = await c.query<{ value: string }>(`SELECT value FROM engine_meta WHERE key = 'history_pruned_through'`)
    const mark = parseHistoryMark(markRow.rows[0]?.value)
    for (;;) {
      const done = await timed(async () => {
        const runs = await c.query<{ run_id: string; ended_at: number }>(
          `SELECT run_id, ended_at FROM runs WHERE status IN ('completed', 'exited')
           AND (ended_at, run_id) > ($1, $2) AND ended_at < $3 ORDER BY ended_at, run_id LIMIT $4`,
          [mark.endedAt, mark.runId, cutoff, runsPerBatch],
        )
        const last = runs.rows[runs.rows.length - 1]
        if (last === undefined) return true
        const ids = runs.rows.map((r) => r.run_id)
        pass.historyRows += (await c.query('DELETE FROM history WHERE run_id = ANY($1::text[])', [ids])).rowCount ?? 0
        pass.runs += (await c.query('DELETE FROM runs WHERE run_id = ANY($1::text[])', [ids])).rowCount ?? 0
        mark.endedAt = last.ended_at
        mark.runId = last.run_id
        await c.query(
          `INSERT INTO engine_meta (key, value) VALUES ('history_pruned_through', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
          [StoredHistoryMark.encode(mark)],
        )
        return runs.rows.length < runsPerBatch
      })
      if (done) return
      await yieldToEventLoop()
    }
  }

  private async step<T>(pass: RetentionPass, work: () => Promise<T>): Promise<T> {
    const t = performance.now()
    try {
      return await work()
    } finally {
      const ms = performance.now() - t
      pass.longestBatchMs = Math.max(pass.longestBatchMs, ms)
      this.onStep?.(ms)
    }
  }
}

type Timed = <T>(work: () => Promise<T>) => Promise<T>

async function transaction<T>(c: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await c.query('BEGIN')
  try {
    const out = await work()
    await c.query('COMMIT')
    return out
  } catch (error) {
    await c.query('ROLLBACK').catch(() => undefined)
    throw error
  }
}
