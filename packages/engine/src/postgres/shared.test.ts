import { describe, expect, it } from 'vitest'
import { LeaseLostError, PartitionLeases } from '@switchyard/storage'
import { FakeClock, loadExample } from '@switchyard/testkit'
import { Engine, PgEngineStore } from '../index'
import { path, publish, track } from '../../test/harness'
import { postgresForTests } from '../../test/postgres'
import { partitionOf } from '../partition'

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
  const apiStore = await PgEngineStore.open(await postgres.pool(schema), clock.now(), { partitions: PARTITIONS, scope: none })
  const api = await Engine.open({ store: apiStore, clock, workspace: 'acme' })
  const tick = async () => {
    for (const w of [a, b]) await w.leases.tick()
    for (const w of [a, b]) await w.leases.tick()
  }
  await tick()
  return { clock, a, b, api, tick }
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
})
