import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Pool } from 'pg'
import { LeaseLostError, PartitionLeases } from './leases'
import { inTransaction, openPostgres } from './postgres'
import { createTestDatabase, type TestDatabase } from './testing'

let database: TestDatabase
let pool: Pool
let now = 1_000_000
const clock = () => now

beforeAll(async () => {
  database = await createTestDatabase('leases')
  pool = openPostgres(database.url)
})
afterAll(async () => {
  await pool.end()
  await database.drop()
})
beforeEach(async () => {
  now = 1_000_000
  await pool.query('DROP TABLE IF EXISTS partition_leases, lease_members, migrations')
})

const open = (owner: string, partitions = 8) => PartitionLeases.open(pool, { partitions, owner, now: clock, ttlMs: 10_000, renewMs: 2_000 })
const heldBy = (l: PartitionLeases) => [...l.held().keys()].sort((a, b) => a - b)

describe('partition leases', () => {
  it('gives one process every partition, then shares them evenly as others join, each partition held once', async () => {
    const a = await open('a')
    await a.tick()
    expect(heldBy(a)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    const b = await open('b')
    const c = await open('c')
    for (let round = 0; round < 3; round++) {
      now += 2_000
      for (const l of [a, b, c]) await l.tick()
    }
    const all = [a, b, c].flatMap(heldBy).sort((x, y) => x - y)
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect([a, b, c].map((l) => l.held().size)).toEqual([3, 3, 2])
    const rows = await pool.query('SELECT count(DISTINCT owner)::int AS owners FROM partition_leases')
    expect(rows.rows[0]).toEqual({ owners: 3 })
  })

  it('lets the others take a killed process’s partitions once its leases expire, with new epochs', async () => {
    const a = await open('a')
    const b = await open('b')
    for (let round = 0; round < 2; round++) for (const l of [a, b]) await l.tick()
    expect(heldBy(a).length + heldBy(b).length).toBe(8)
    const bHeld = new Map(b.held())
    // b is killed: it stops renewing. Before the TTL nothing moves.
    now += 9_000
    await a.tick()
    expect(heldBy(a)).toHaveLength(4)
    now += 2_000
    await a.tick()
    expect(heldBy(a)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    for (const [p, epoch] of bHeld) expect(a.held().get(p)).toBe(epoch + 1)
  })

  it('fences: a process that lost a partition cannot commit work for it, and the row stays as the new owner left it', async () => {
    const a = await open('a', 2)
    await a.tick()
    // a pauses past its TTL; b takes both partitions.
    now += 11_000
    const b = await open('b', 2)
    await b.tick()
    expect(heldBy(b)).toEqual([0, 1])
    await pool.query('CREATE TABLE IF NOT EXISTS work (partition INT, owner TEXT)')
    const write = (l: PartitionLeases) =>
      inTransaction(pool, async (client) => {
        await l.fence(client, [0])
        await client.query('INSERT INTO work VALUES (0, $1)', [l.owner])
      })
    await expect(write(a)).rejects.toThrow(LeaseLostError)
    await write(b)
    expect((await pool.query('SELECT owner FROM work')).rows).toEqual([{ owner: 'b' }])
    // a learns of the loss at the fence (partition 0) or at its next round (the rest).
    expect(heldBy(a)).toEqual([1])
    await a.tick()
    expect(heldBy(a)).toEqual([])
  })

  it('hands its partitions back on a graceful stop, so the next process takes them at once', async () => {
    const a = await open('a', 4)
    const b = await open('b', 4)
    for (let round = 0; round < 2; round++) for (const l of [a, b]) await l.tick()
    await a.stop()
    now += 2_000
    await b.tick()
    expect(heldBy(b)).toEqual([0, 1, 2, 3])
  })

  it('refuses a partition count other than the one the database was set up with', async () => {
    await open('a', 8)
    await expect(open('b', 16)).rejects.toThrow(/PARTITIONS is 16 but this database was set up with 8 partitions.*PARTITIONS=8/)
  })
})
