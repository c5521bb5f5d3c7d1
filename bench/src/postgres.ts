import { performance } from 'node:perf_hooks'
import { PgEngineStore, messageIdFor } from '@switchyard/engine'
import { openPostgres } from '@switchyard/storage'
import { createTestDatabase } from '@switchyard/storage/testing'
import type { IngestedEvent } from '@switchyard/schema'
import { cpuSeconds, publishNetcore } from './http'
import { postgresCpuSeconds } from './pg-throughput'
import { cartEvent, clickEvent, identifyEvent, sentEvent } from './netcore'
import { runChild, startServer, type ServerProcess } from './server'
import { progress, round, sleep } from './util'

type Pool = ReturnType<typeof openPostgres>

/**
 * Partitions whose cursor is behind their last journal row: one index lookup each. (Counting the
 * unapplied rows instead cost PostgreSQL 15-25 ms a poll at 50,000 behind, a third of a core at
 * this poll's rate, taken from the workers being measured.)
 */
async function partitionsBehind(pool: Pool): Promise<number> {
  const r = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM partition_cursors c WHERE c.applied_seq < coalesce((SELECT max(j.seq) FROM journal j WHERE j.partition = c.partition), 0)',
  )
  return r.rows[0]?.n ?? 0
}

async function leaseOwners(pool: Pool): Promise<Map<string, number>> {
  const r = await pool.query<{ owner: string; n: number }>(
    'SELECT owner, count(*)::int AS n FROM partition_leases WHERE owner IS NOT NULL AND expires_at > (extract(epoch FROM clock_timestamp()) * 1000)::bigint GROUP BY owner',
  )
  return new Map(r.rows.map((row) => [row.owner, row.n]))
}

export interface PgApplyResult {
  workers: number
  users: number
  events: number
  seconds: number
  eventsPerSecond: number
  /** CPU seconds per 1,000 applied events: each worker process, and every PostgreSQL process together. */
  cpuPer1000: { workers: number[]; postgres: number }
  /** After the run: one worker SIGKILLed, until the survivors hold every partition (2+ workers). */
  takeoverMs: number | null
}

/**
 * Events/s applied by `workers` processes (`ROLE=worker`) sharing one PostgreSQL database, on the
 * Netcore journey: the same four events per user as the SQLite figure (profile, cart, `rcs.sent`,
 * click), appended to the journal as API processes would (in process, 1,000 a transaction), while
 * the workers apply them. Timed from the first append to the journal applied, per phase.
 */
export async function postgresApply(workers: number, users: number): Promise<PgApplyResult> {
  const database = await createTestDatabase(`bench_w${workers}`)
  const pool = openPostgres(database.url, { max: 4 })
  const servers: ServerProcess[] = []
  try {
    const api = await startServer(database.url, { ROLE: 'api', SECRET_KEY: 'bench-secret-key-0123456789abcdef' })
    servers.push(api)
    const journeyId = await publishNetcore(api.url)
    if (journeyId === null) throw new Error('postgres bench: publishing the Netcore journey failed')
    for (let i = 0; i < workers; i++) servers.push(await startServer(database.url, { ROLE: 'worker', SECRET_KEY: 'bench-secret-key-0123456789abcdef' }))
    // Wait until every worker holds its share.
    for (let i = 0; i < 100 && (await leaseOwners(pool)).size < workers; i++) await sleep(200)
    progress(`  ${workers} worker(s) hold ${JSON.stringify([...(await leaseOwners(pool)).values()])} partitions`)
    const store = await PgEngineStore.open(pool)
    const now = Date.now()
    const cpu0 = servers.slice(1).map((s) => cpuSeconds(s.child.pid))
    const pg0 = postgresCpuSeconds()
    let seconds = 0
    // Every event the workers applied: the bench's, and the <channel>.sent events the workers' own
    // relay appended (the bench's copies of those are duplicates when the relay was first).
    const journalRows = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM journal')).rows[0]?.n ?? 0)
    const journal0 = await journalRows()
    const phase = async (label: string, make: (i: number) => IngestedEvent[]) => {
      const t = performance.now()
      let n = 0
      for (let i = 0; i < users; i += 500) {
        const group: IngestedEvent[] = []
        for (let k = i; k < Math.min(users, i + 500); k++) group.push(...make(k))
        n += (await store.appendEventGroups([group]))[0]?.accepted ?? 0
      }
      while ((await partitionsBehind(pool)) > 0) await sleep(20)
      const s = (performance.now() - t) / 1000
      seconds += s
      progress(`  ${label}: ${n.toLocaleString('en')} events appended by the bench, all applied in ${s.toFixed(2)} s`)
    }
    await phase('profile + cart', (i) => [identifyEvent(i, now), cartEvent(i, now)])
    const runs = await pool.query<{ user_id: string; run_id: string }>("SELECT user_id, run_id FROM runs WHERE journey_id = $1 AND status = 'active'", [journeyId])
    const messageIds = new Map(runs.rows.map((r) => [r.user_id, messageIdFor(r.run_id, 'rcs')]))
    await phase('sent + click', (i) => {
      const id = messageIds.get(`user-${i}`)
      return id === undefined ? [] : [sentEvent(i, id, now), clickEvent(i, id, now)]
    })
    const events = (await journalRows()) - journal0
    const per1000 = (cpu: number) => round((cpu / events) * 1000, 3)
    const cpuPer1000 = { workers: servers.slice(1).map((s, i) => per1000(cpuSeconds(s.child.pid) - (cpu0[i] ?? 0))), postgres: per1000(postgresCpuSeconds() - pg0) }

    let takeoverMs: number | null = null
    if (workers >= 2) {
      const victim = servers[servers.length - 1]!
      const killedAt = performance.now()
      victim.child.kill('SIGKILL')
      await new Promise((resolve) => victim.child.once('exit', resolve))
      while (performance.now() - killedAt < 60_000) {
        const owners = await leaseOwners(pool)
        const total = [...owners.values()].reduce((a, b) => a + b, 0)
        if (owners.size === workers - 1 && total === store.partitions) {
          takeoverMs = round(performance.now() - killedAt)
          break
        }
        await sleep(50)
      }
      progress(`  takeover after a SIGKILL: ${takeoverMs === null ? 'not within 60 s' : `${(takeoverMs / 1000).toFixed(1)} s`}`)
    }
    return { workers, users, events, seconds: round(seconds, 2), eventsPerSecond: round(events / seconds), cpuPer1000, takeoverMs }
  } finally {
    for (const s of servers) await s.stop()
    await pool.end()
    await database.drop()
  }
}

export interface PgWaitingResult {
  users: number
  populateSeconds: number
  /** runs + timers (tables and indexes) per waiting run; the users' profiles apart. */
  bytesPerWaitingRun: number
  bytesPerUserProfile: number
  timers: { fired: number; dueOverSeconds: number; p50: number; p99: number; max: number }
}

/**
 * `users` people waiting in the Netcore journey's click wait (written with SQL, as the SQLite
 * figure does), sizes per waiting run, then `firing` of the timers moved to fall due over 60 s
 * while the rest keep waiting: a worker process (the engine, its runner and the leases, as the
 * server runs them) reports each timer's lateness.
 */
export async function postgresWaiting(users: number, firing: number): Promise<PgWaitingResult> {
  const database = await createTestDatabase('bench_waiting')
  const pool = openPostgres(database.url, { max: 4 })
  try {
    const api = await startServer(database.url, { ROLE: 'api', SECRET_KEY: 'bench-secret-key-0123456789abcdef' })
    const journeyId = await publishNetcore(api.url)
    await api.stop()
    if (journeyId === null) throw new Error('postgres bench: publishing the Netcore journey failed')
    const t0 = performance.now()
    await populateWithSql(pool, journeyId, users)
    const populateSeconds = round((performance.now() - t0) / 1000, 1)
    await pool.query('VACUUM ANALYZE runs, timers, users')
    const size = async (table: string) => Number((await pool.query<{ n: string }>('SELECT pg_total_relation_size($1)::bigint AS n', [table])).rows[0]?.n ?? 0)
    const bytesPerWaitingRun = round(((await size('runs')) + (await size('timers'))) / users)
    const bytesPerUserProfile = round((await size('users')) / users)
    progress(`  ${users.toLocaleString('en')} waiting runs in ${populateSeconds} s; ${bytesPerWaitingRun} bytes per waiting run (+ ${bytesPerUserProfile} per profile)`)
    const start = Date.now() + 8_000
    await pool.query(
      `WITH moved AS (
         SELECT run_id FROM timers WHERE user_id LIKE 'user-%' ORDER BY run_id LIMIT $1)
       UPDATE timers t SET due_at = $2 + ((row_number) * 60000 / $1)
       FROM (SELECT run_id, row_number() OVER (ORDER BY run_id) AS row_number FROM moved) m
       WHERE t.run_id = m.run_id`,
      [firing, start],
    )
    const fired = await runChild<{ fired: number; p50: number; p99: number; max: number }>('src/timers-child.ts', [database.url, String(firing), String(start + 120_000)], (line) => {
      if (!line.startsWith('{')) progress(`  ${line}`)
    })
    return { users, populateSeconds, bytesPerWaitingRun, bytesPerUserProfile, timers: { fired: fired.fired, dueOverSeconds: 60, p50: fired.p50, p99: fired.p99, max: fired.max } }
  } finally {
    await pool.end()
    await database.drop()
  }
}

/** Users, runs and timers written 20,000 a statement with `unnest`. */
async function populateWithSql(pool: Pool, journeyId: string, users: number): Promise<void> {
  const { StoredRunContextRecord, StoredTraits, partitionOf } = await import('@switchyard/engine')
  const partitions = Number((await pool.query<{ value: string }>("SELECT value FROM engine_meta WHERE key = 'partitions'")).rows[0]?.value ?? 64)
  const version = (await pool.query<{ version: number }>('SELECT version FROM journeys WHERE id = $1', [journeyId])).rows[0]?.version ?? 1
  const now = Date.now()
  const base = now + 3_600_000
  const chunk = 20_000
  for (let from = 0; from < users; from += chunk) {
    const ids: number[] = []
    for (let i = from; i < Math.min(users, from + chunk); i++) ids.push(i)
    const userIds = ids.map((i) => `user-${i}`)
    const runIds = ids.map((i) => `run_${String(i).padStart(9, '0')}`)
    const parts = userIds.map((u) => partitionOf(u, partitions))
    const dues = ids.map((i) => base + Math.floor((i * 60_000) / users))
    const contexts = ids.map((i, k) =>
      StoredRunContextRecord.encode({
        runId: runIds[k]!,
        journeyId,
        version,
        userId: userIds[k]!,
        event: { name: 'add_to_cart', properties: { sku: `sku-${i % 500}`, price: 499 }, messageId: `cart-${i}`, timestamp: new Date(now).toISOString() },
        message: { nodeId: 'rcs', id: `msg_${i}`, channel: 'rcs' },
        control: false,
      }),
    )
    const traits = ids.map((i) => StoredTraits.encode({ EMAIL: `u${i}@example.com`, CITY: 'Pune', FIRSTNAME: `U${i}` }))
    await pool.query('INSERT INTO users (user_id, traits, updated_at) SELECT u, t, $3 FROM unnest($1::text[], $2::text[]) AS x(u, t)', [userIds, traits, now])
    await pool.query(
      `INSERT INTO runs (run_id, journey_id, version, user_id, partition, status, state_key, current_node_id, context, waiting_until, started_at, ended_at, updated_at)
       SELECT r, $1, $2, u, p, 'active', 'wait', 'wait', c, d, $3, NULL, $3 FROM unnest($4::text[], $5::text[], $6::smallint[], $7::text[], $8::bigint[]) AS x(r, u, p, c, d)`,
      [journeyId, version, now, runIds, userIds, parts, contexts, dues],
    )
    await pool.query(
      `INSERT INTO timers (run_id, node_id, journey_id, user_id, partition, due_at)
       SELECT r, 'wait', $1, u, p, d FROM unnest($2::text[], $3::text[], $4::smallint[], $5::bigint[]) AS x(r, u, p, d)`,
      [journeyId, runIds, userIds, parts, dues],
    )
    if ((from / chunk) % 10 === 9) progress(`  populated ${Math.min(users, from + chunk).toLocaleString('en')} waiting users`)
  }
}
