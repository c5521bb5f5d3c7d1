import type pg from 'pg'
import type { JourneyStats } from '@switchyard/schema'
import { inTransaction } from '@switchyard/storage'
import type { CounterDelta, HistoryRecord, JourneyRecord, JourneyVersionRecord, RunRecord } from '../records'
import { VersionTakenError, type HistoryPageRow, type JourneyUserSummary, type RunKey, type RunWithHistory } from '../store'
import { buildStats } from '../stats'
import * as codec from '../rows'
import { RUN_COLUMNS } from '../rows'
import type { SharedJournal } from './shared'

export type Queryable = pg.Pool | pg.PoolClient

/**
 * The PostgreSQL store's journeys, their versions, and what inspection and stats read: everything
 * off the path that applies events. `PgEngineStore` extends it with the journal, batches' commits,
 * timers and the outbox.
 */
export abstract class PgJourneyStore {
  protected constructor(
    readonly pool: pg.Pool,
    /** Present when several processes share the database (see `SharedJournal`). */
    readonly partitioned: SharedJournal | undefined,
  ) {}

  /** Shared: `AND <column> = ANY($n)` over the partitions this process holds; alone: nothing. */
  protected scoped(column: string, params: unknown[]): string {
    if (!this.partitioned) return ''
    params.push(this.partitioned.heldPartitions())
    return ` AND ${column} = ANY($${params.length}::smallint[])`
  }

  async loadRuns(runIds: string[]): Promise<Map<string, RunRecord>> {
    if (runIds.length === 0) return new Map()
    const r = await this.pool.query<codec.RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = ANY($1::text[])`, [runIds])
    return new Map(r.rows.map((row) => [row.run_id, codec.runFromRow(row)]))
  }

  async insertJourney(j: JourneyRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO journeys (id, name, status, graph, settings, version, published_hash, updated_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [j.id, ...codec.journeyColumns(j), j.createdAt],
    )
  }
  async updateDraft(j: JourneyRecord): Promise<JourneyRecord | null> {
    const r = await this.pool.query<codec.JourneyRow>('UPDATE journeys SET name = $1, graph = $2, settings = $3, updated_at = $4 WHERE id = $5 RETURNING *', [...codec.draftColumns(j), j.id])
    // Other processes reload their journeys when this moves.
    await bumpMeta(this.pool, 'catalog_version')
    const row = r.rows[0]
    return row ? codec.journeyFromRow(row) : null
  }
  async updateStatus(j: JourneyRecord): Promise<void> {
    await updateJourneyRow(this.pool, j, 'status')
  }
  async getJourney(id: string): Promise<JourneyRecord | null> {
    const r = await this.pool.query<codec.JourneyRow>('SELECT * FROM journeys WHERE id = $1', [id])
    const row = r.rows[0]
    return row ? codec.journeyFromRow(row) : null
  }
  async listJourneys(): Promise<JourneyRecord[]> {
    return (await this.pool.query<codec.JourneyRow>('SELECT * FROM journeys ORDER BY created_at DESC, id')).rows.map(codec.journeyFromRow)
  }
  async deleteJourney(id: string): Promise<void> {
    await inTransaction(this.pool, async (q) => {
      // As a publish does: a batch another process loaded before this is dropped, not committed
      // over the deletion (which would leave runs of a journey that no longer exists).
      await bumpMeta(q, 'publish_epoch')
      // Its queued messages go with its runs: their fields are its versions' (StoredMessageJob).
      await q.query("DELETE FROM outbox WHERE kind = 'message' AND job::jsonb #>> '{value,context,journey,id}' = $1", [id])
      for (const table of ['held_events', 'goal_watches', 'timers', 'node_counters', 'history', 'runs', 'entered_journeys', 'journey_versions']) {
        await q.query(`DELETE FROM ${table} WHERE journey_id = $1`, [id])
      }
      await q.query('DELETE FROM journeys WHERE id = $1', [id])
      await bumpMeta(q, 'catalog_version')
    })
  }
  async insertVersion(v: JourneyVersionRecord, j: JourneyRecord): Promise<void> {
    await inTransaction(this.pool, (q) => this.writeVersion(q, v, j))
  }
  protected async writeVersion(q: Queryable, v: JourneyVersionRecord, j: JourneyRecord): Promise<void> {
    try {
      await q.query('INSERT INTO journey_versions (journey_id, version, graph, settings, machine, hash, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        v.journeyId,
        v.version,
        ...codec.versionColumns(v),
      ])
    } catch (error) {
      if (isUniqueViolation(error, 'journey_versions_pkey')) throw new VersionTakenError(v.journeyId, v.version)
      throw error
    }
    await updateJourneyRow(q, j, 'published')
  }
  async getVersion(journeyId: string, version: number): Promise<JourneyVersionRecord | null> {
    const r = await this.pool.query<codec.VersionRow>('SELECT * FROM journey_versions WHERE journey_id = $1 AND version = $2', [journeyId, version])
    const row = r.rows[0]
    return row ? codec.versionFromRow(row) : null
  }
  async listVersions(journeyId: string): Promise<JourneyVersionRecord[]> {
    return (await this.pool.query<codec.VersionRow>('SELECT * FROM journey_versions WHERE journey_id = $1 ORDER BY version', [journeyId])).rows.map(codec.versionFromRow)
  }
  async publishedJourneys(): Promise<{ journey: JourneyRecord; latest: JourneyVersionRecord }[]> {
    const r = await this.pool.query<codec.PublishedRow>(
      `SELECT j.*, v.machine AS v_machine, v.graph AS v_graph, v.settings AS v_settings, v.hash AS v_hash, v.published_at AS v_published_at
       FROM journeys j JOIN journey_versions v ON v.journey_id = j.id AND v.version = j.version WHERE j.version IS NOT NULL`,
    )
    return r.rows.map(codec.publishedFromRow)
  }

  async runsOf(journeyId: string, userId: string): Promise<RunWithHistory[]> {
    const runs = await this.pool.query<codec.RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE journey_id = $1 AND user_id = $2 ORDER BY started_at DESC, run_id DESC`, [
      journeyId,
      userId,
    ])
    if (runs.rows.length === 0) return []
    const history = await this.pool.query<codec.HistoryRow>('SELECT * FROM history WHERE run_id = ANY($1::text[]) ORDER BY id', [runs.rows.map((r) => r.run_id)])
    const byRun = new Map<string, HistoryRecord[]>()
    for (const row of history.rows) {
      const list = byRun.get(row.run_id) ?? []
      list.push(codec.historyFromRow(row))
      byRun.set(row.run_id, list)
    }
    return runs.rows.map((row) => ({ ...codec.runFromRow(row), history: byRun.get(row.run_id) ?? [] }))
  }
  async runsPage(journeyId: string, userId: string, o: { before?: RunKey; limit: number }): Promise<RunRecord[]> {
    const r = await this.pool.query<codec.RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE journey_id = $1 AND user_id = $2 AND (started_at, run_id) < ($3, $4)
       ORDER BY started_at DESC, run_id DESC LIMIT $5`,
      [journeyId, userId, o.before?.startedAt ?? Number.MAX_SAFE_INTEGER, o.before?.runId ?? '', o.limit],
    )
    return r.rows.map(codec.runFromRow)
  }
  async historyPage(runId: string, o: { afterId: number; limit: number }): Promise<HistoryPageRow[]> {
    const r = await this.pool.query<codec.HistoryRow & { id: number }>('SELECT * FROM history WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT $3', [runId, o.afterId, o.limit])
    return r.rows.map((row) => ({ id: row.id, record: codec.historyFromRow(row) }))
  }
  async usersOf(journeyId: string, o: { prefix?: string; limit: number }): Promise<JourneyUserSummary[]> {
    const r = await this.pool.query<{ user_id: string; runs: number; last: number; run_id: string }>(
      `SELECT user_id, count(*)::int AS runs, max(updated_at) AS last, max(run_id) AS run_id FROM runs
       WHERE journey_id = $1 AND starts_with(user_id, $2) GROUP BY user_id ORDER BY last DESC, user_id LIMIT $3`,
      [journeyId, o.prefix ?? '', o.limit],
    )
    const latest = await this.loadRuns(r.rows.map((row) => row.run_id))
    return r.rows.map((row) => {
      const run = latest.get(row.run_id)
      return { userId: row.user_id, runs: row.runs, status: run?.status ?? 'completed', currentNodeId: run?.currentNodeId ?? null, lastActivityAt: row.last }
    })
  }
  async activeTotals(): Promise<Map<string, number>> {
    const r = await this.pool.query<{ journey_id: string; n: number }>(`SELECT journey_id, count(*)::int AS n FROM runs WHERE status = 'active' GROUP BY journey_id`)
    return new Map(r.rows.map((row) => [row.journey_id, row.n]))
  }
  async activeCounts(journeyId: string): Promise<{ version: number; nodeId: string | null; count: number }[]> {
    const r = await this.pool.query<{ version: number; node_id: string | null; n: number }>(
      `SELECT version, current_node_id AS node_id, count(*)::int AS n FROM runs WHERE journey_id = $1 AND status = 'active' GROUP BY version, current_node_id`,
      [journeyId],
    )
    return r.rows.map((row) => ({ version: row.version, nodeId: row.node_id, count: row.n }))
  }
  async activeRuns(journeyId: string): Promise<RunRecord[]> {
    return activeRunsOf(this.pool, journeyId)
  }
  async counters(journeyId: string, version?: number): Promise<CounterDelta[]> {
    const r = await this.pool.query<{ version: number; node_id: string; metric: string; count: number }>(
      'SELECT version, node_id, metric, count FROM node_counters WHERE journey_id = $1 AND ($2::int IS NULL OR version = $2)',
      [journeyId, version ?? null],
    )
    return r.rows.map((row) => ({ journeyId, version: row.version, nodeId: row.node_id, metric: row.metric, delta: row.count }))
  }
  async stats(journeyId: string, version?: number): Promise<JourneyStats> {
    return buildStats(await this.counters(journeyId, version), (await this.activeCounts(journeyId)).filter((a) => version === undefined || a.version === version))
  }
  async heldEvents(journeyId: string, limit: number): Promise<{ runId: string; seq: number }[]> {
    const params: unknown[] = [journeyId, limit]
    const scope = this.scoped('j.partition', params)
    const r = await this.pool.query<{ run_id: string; seq: number }>(
      scope === ''
        ? 'SELECT run_id, seq FROM held_events WHERE journey_id = $1 ORDER BY seq LIMIT $2'
        : `SELECT h.run_id, h.seq FROM held_events h JOIN journal j ON j.seq = h.seq WHERE h.journey_id = $1${scope} ORDER BY h.seq LIMIT $2`,
      params,
    )
    return r.rows.map((row) => ({ runId: row.run_id, seq: row.seq }))
  }
}

export async function activeRunsOf(q: Queryable, journeyId: string): Promise<RunRecord[]> {
  const r = await q.query<codec.RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE journey_id = $1 AND status = 'active' ORDER BY started_at, run_id`, [journeyId])
  return r.rows.map(codec.runFromRow)
}

/**
 * Writes the part of a journey row a publish (status, version, published hash) or a pause (status)
 * owns; a draft edit writes its own (`updateDraft`). A whole-row write from an edit read before a
 * concurrent publish put the old version back, and every later publish of that journey failed on
 * the version's key.
 */
export async function updateJourneyRow(q: Queryable, j: JourneyRecord, part: 'published' | 'status'): Promise<void> {
  switch (part) {
    case 'published':
      await q.query('UPDATE journeys SET status = $1, version = $2, published_hash = $3, updated_at = $4 WHERE id = $5', [...codec.publishedColumns(j), j.id])
      break
    case 'status':
      await q.query('UPDATE journeys SET status = $1, updated_at = $2 WHERE id = $3', [j.status, j.updatedAt, j.id])
      break
  }
  // Other processes reload their journeys when this moves (a status, a new version, an edit).
  await bumpMeta(q, 'catalog_version')
}

/** Counters in engine_meta other processes watch (the catalog's version, the publish epoch). */
export async function bumpMeta(q: Queryable, key: 'catalog_version' | 'publish_epoch'): Promise<void> {
  await q.query(`UPDATE engine_meta SET value = (value::bigint + 1)::text WHERE key = $1`, [key])
}

export async function count(q: Queryable, sql: string): Promise<number> {
  return (await q.query<{ n: number }>(sql)).rows[0]?.n ?? 0
}

/** A PostgreSQL unique violation (SQLSTATE 23505) of `constraint`. */
function isUniqueViolation(error: unknown, constraint: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505' && 'constraint' in error && error.constraint === constraint
}
