import { describe, expect, it } from 'vitest'
import { LeaseLostError, PartitionLeases } from '@switchyard/storage'
import { FakeClock, days, edge, exit, graph, journeyInput, loadExample, trigger, waitEvent } from '@switchyard/testkit'
import { Engine, PgEngineStore } from '../index'
import { path, publish, track } from '../../test/harness'
import { postgresForTests } from '../../test/postgres'
import { partitionOf } from '../partition'
import { emptyCommit } from '../store'
import { StaleBatchError } from './shared'

const postgres = postgresForTests('shared')
const PARTITIONS = 8

/** Processes sharing one database: two workers with leases on a fake clock, and an API process that holds none. */
async function cluster() {
  const schema = await postgres.newSchema()
  const clock = new FakeClock()
  const worker = async (owner: string) => {
    const pool = await postgres.pool(schema)
    const leases = await PartitionLeases.open(pool, { partitions: PARTITIONS, owner, now: () => clock.now(), ttlMs: 10_000 })
    const store = await PgEngineStore.open(pool, clock.now(), { partitions: PARTITIONS, scope: leases })
    return { owner, leases, store, engine: await Engine.open({ store, clock, workspace: 'acme' }) }
  }
  const a = await worker('a')
  const b = await worker('b')
  const none = { held: () => new Map<number, number>(), fence: async () => undefined }
  const apiPool = await postgres.pool(schema)
  const apiStore = await PgEngineStore.open(apiPool, clock.now(), { partitions: PARTITIONS, scope: none })
  const api = await Engine.open({ store: apiStore, clock, workspace: 'acme' })
  const tick = async () => {
    for (const w of [a, b]) await w.leases.tick()
    for (const w of [a, b]) await w.leases.tick()
  }
  await tick()
  return { clock, a, b, api, apiPool, tick }
}

const users = Array.from({ length: 40 }, (_, i) => `user-${i}`)

describe('processes sharing PostgreSQL', () => {
  it('each worker applies the users of its own partitions, once, and a journey published through another process reaches both', async () => {
    const c = await cluster()
    expect(c.a.leases.held().size + c.b.leases.held().size).toBe(PARTITIONS)
    expect(c.a.leases.held().size).toBe(PARTITIONS / 2)
    // Published after the workers opened: they learn of it from the catalog's version.
    const id = await publish(c.api, loadExample('single-action', 'wh_1'))
    await c.api.ingest(users.map((u) => track(u, 'App Launched')))
    expect(await c.api.processPending()).toBe(0)
    await c.a.engine.runUntilIdle()
    await c.b.engine.runUntilIdle()
    expect(c.a.engine.counters.eventsApplied).toBe(users.filter((u) => c.a.leases.held().has(partitionOf(u, PARTITIONS))).length)
    expect(c.a.engine.counters.eventsApplied + c.b.engine.counters.eventsApplied).toBe(users.length)
    expect(c.a.engine.counters.eventsApplied).toBeGreaterThan(0)
    for (const u of users) expect(await path(c.api, id, u)).toEqual(['entered:t>next', 'webhook:h>next', 'completed:x'])
    expect((await c.api.lag()).pending).toBe(0)
    expect((await c.a.engine.lag()).pending).toBe(0)
  })

  it('a worker that lost its partitions cannot commit for them; the one that took them applies every event once', async () => {
    const c = await cluster()
    const id = await publish(c.api, loadExample('single-action', 'wh_1'))
    // a stops renewing (paused, or cut off); after its leases expire b takes every partition.
    c.clock.advance(11_000)
    await c.b.leases.tick()
    expect(c.b.leases.held().size).toBe(PARTITIONS)
    await c.api.ingest(users.map((u) => track(u, 'App Launched')))
    await expect(c.a.engine.processPending()).rejects.toThrow(LeaseLostError)
    await c.b.engine.runUntilIdle()
    for (const u of users) expect((await c.api.userRuns(id, u)).length).toBe(1)
    expect(c.b.engine.counters.eventsApplied).toBe(users.length)
  })

  it('replays what a paused journey held in each worker’s own partitions when another process resumes it', async () => {
    const c = await cluster()
    const id = await publish(c.api, loadExample('several-actions', 'wh_1'))
    await c.api.ingest(users.map((u) => track(u, 'App Launched')))
    for (const w of [c.a, c.b]) await w.engine.runUntilIdle()
    await c.api.setPaused(id, true)
    await c.api.ingest(users.map((u) => track(u, 'Notification Viewed')))
    for (const w of [c.a, c.b]) await w.engine.runUntilIdle()
    expect(await path(c.api, id, users[0]!)).toEqual(['entered:t>next', 'entered:w'])
    await c.api.setPaused(id, false)
    for (const w of [c.a, c.b]) await w.engine.runUntilIdle()
    for (const u of users) expect(await path(c.api, id, u)).toEqual(['entered:t>next', 'entered:w', 'event:w>matched', 'webhook:h>next', 'completed:x1'])
  })

  it('a migrating publish reads the runs it moves after every batch in flight committed, and writes none of them over', async () => {
    const c = await cluster()
    const waiting = graph([trigger('t', 'signed_up'), waitEvent('wait', 'purchase', days(2)), exit('out')], [edge('t', 'next', 'wait'), edge('wait', 'timeout', 'out'), edge('wait', 'matched', 'out')])
    const j = await c.api.createJourney(journeyInput('Sign-ups', waiting))
    await c.api.publish(j.id)
    await c.api.ingest(users.map((u) => track(u, 'signed_up')))
    for (const w of [c.a, c.b]) await w.engine.runUntilIdle()
    // A worker's batch in flight, as its commit runs: the epoch read FOR SHARE, then one run ended.
    const worker = await c.apiPool.connect()
    const ended = (await c.api.userRuns(j.id, users[0]!))[0]!.runId
    try {
      await worker.query('BEGIN')
      await worker.query(`SELECT value FROM engine_meta WHERE key = 'publish_epoch' FOR SHARE`)
      await worker.query(`UPDATE runs SET status = 'completed', current_node_id = 'out', ended_at = 1 WHERE run_id = $1`, [ended])
      const publishing = c.api.publish(j.id, {}, { policy: 'move', onRemoved: 'keep' })
      // The publish waits for that batch: its session shows as waiting on a lock.
      const blocked = async () => (await c.apiPool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE engine_meta%'`)).rows[0]?.n ?? 0
      for (let i = 0; i < 500 && (await blocked()) === 0; i++) await new Promise((resolve) => setImmediate(resolve))
      expect(await blocked()).toBe(1)
      await worker.query('COMMIT')
      expect(await publishing).toMatchObject({ ok: true, version: 2, migrated: { moved: users.length - 1, exited: 0, kept: 0 } })
    } finally {
      worker.release()
    }
    const [run] = await c.api.userRuns(j.id, users[0]!)
    expect(run).toMatchObject({ status: 'completed', version: 1 })
    expect(run?.history.map((h) => h.kind)).not.toContain('migrated')
    expect((await c.api.userRuns(j.id, users[1]!))[0]).toMatchObject({ status: 'active', version: 2 })
  })

  it('two processes publishing one journey at once each make a version of their own', async () => {
    const c = await cluster()
    const { id } = await c.api.createJourney(journeyInput('Twice', loadExample('single-action', 'wh_1').graph))
    const answers = []
    for (let round = 0; round < 5; round++) answers.push(...(await Promise.all([c.api.publish(id), c.a.engine.publish(id)])))
    expect(answers.map((a) => a !== null && 'version' in a && a.ok)).toEqual(Array.from({ length: 10 }, () => true))
    expect((await c.api.listVersions(id))?.map((v) => v.version)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
  })

  it('a batch loaded before a journey was deleted is dropped, not committed over the deletion', async () => {
    const c = await cluster()
    const id = await publish(c.api, loadExample('several-actions', 'wh_1'))
    await c.api.ingest(users.map((u) => track(u, 'App Launched')))
    for (const w of [c.a, c.b]) await w.engine.runUntilIdle()
    await c.api.ingest(users.map((u) => track(u, 'Notification Viewed')))
    // a reads its catalog and epoch for the next batch; the journey is deleted before it commits.
    const held = c.a.store.partitioned!
    await held.catalogStamp()
    await expect(c.api.deleteJourney(id, { exitUsers: true })).resolves.toEqual({ ok: true })
    const rows = await c.apiPool.query<{ n: number }>('SELECT count(*)::int AS n FROM runs WHERE journey_id = $1', [id])
    expect(rows.rows[0]?.n).toBe(0)
    const q = await c.apiPool.connect()
    try {
      await expect(held.guard(q, { ...emptyCommit(), appliedSeqs: [] }, (u) => partitionOf(u, PARTITIONS))).rejects.toThrow(StaleBatchError)
    } finally {
      q.release()
    }
  })
})
