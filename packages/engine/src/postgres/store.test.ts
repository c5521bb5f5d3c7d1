import { describe, expect, it } from 'vitest'
import { emptyCommit } from '../store'
import { partitionOf } from '../partition'
import { postgresForTests } from '../../test/postgres'
import { PgEngineStore } from './store'
import { postgresMaintenance } from './maintenance'

const pg = postgresForTests('engine_pg_store')

describe('PgEngineStore partitions', () => {
  it('keeps the number of partitions the database was created with, whatever a later process asks for', async () => {
    const schema = await pg.newSchema()
    const first = await PgEngineStore.open(await pg.pool(schema), 0, { partitions: 8 })
    const second = await PgEngineStore.open(await pg.pool(schema), 0, { partitions: 64 })
    expect([first.partitions, second.partitions]).toEqual([8, 8])
    await expect(PgEngineStore.open(await pg.pool(await pg.newSchema()), 0, { partitions: 0 })).rejects.toThrow(/partitions/)
  })

  it('writes each user’s partition on their journal, run, timer and outbox rows', async () => {
    const schema = await pg.newSchema()
    const store = await PgEngineStore.open(await pg.pool(schema), 0, { partitions: 16 })
    const users = ['ann', 'bob', 'carl', 'émile']
    await store.appendEventGroups([users.map((u) => ({ messageId: `m-${u}`, type: 'track', userId: u, event: 'E', timestamp: 0, receivedAt: 0 }))])
    const context = (u: string) => ({ runId: `r-${u}`, journeyId: 'j', version: 1, userId: u, event: null, message: null, control: false })
    await store.commit({
      ...emptyCommit(),
      runs: new Map(users.map((u) => [`r-${u}`, { runId: `r-${u}`, journeyId: 'j', version: 1, userId: u, status: 'active', stateKey: '"w"', currentNodeId: 'w', context: context(u), waitingUntil: null, startedAt: 0, endedAt: null }])),
      timersSet: users.map((u) => ({ runId: `r-${u}`, nodeId: 'w', journeyId: 'j', userId: u, dueAt: 5 })),
      outbox: users.map((u) => ({
        id: `o-${u}`,
        kind: 'message',
        createdAt: 0,
        job: { kind: 'message', id: `o-${u}`, channel: 'sms', providerId: null, message: {}, createdAt: 0, context: { workspace: 'w', journey: { id: 'j', name: 'J', version: 1 }, runId: `r-${u}`, nodeId: 'a', user: { id: u, traits: {} }, event: null, message: null } },
      })),
    })
    const expected = Object.fromEntries(users.map((u) => [u, partitionOf(u, 16)]))
    expect(new Set(Object.values(expected)).size).toBeGreaterThan(1)
    for (const [table, user] of [
      ['journal', 'user_id'],
      ['runs', 'user_id'],
      ['timers', 'user_id'],
    ] as const) {
      const r = await store.pool.query<{ user_id: string; partition: number }>(`SELECT ${user} AS user_id, partition FROM ${table}`)
      expect(Object.fromEntries(r.rows.map((row) => [row.user_id, row.partition]))).toEqual(expected)
    }
    const outbox = await store.pool.query<{ id: string; partition: number }>('SELECT id, partition FROM outbox')
    expect(Object.fromEntries(outbox.rows.map((row) => [row.id.slice(2), row.partition]))).toEqual(expected)
  })
})

describe('postgresMaintenance', () => {
  it('reports the database size and the journal and history rows, and refuses backups pointing to pg_dump', async () => {
    const store = await PgEngineStore.open(await pg.pool(await pg.newSchema()), 0)
    await store.appendEventGroups([[1, 2, 3].map((i) => ({ messageId: `m${i}`, type: 'track' as const, userId: 'u', event: 'E', timestamp: 0, receivedAt: 0 }))])
    await store.appendHistory([{ runId: 'r', journeyId: 'j', at: 0, nodeId: 'n', kind: 'entered', outlet: null, messageId: null, detail: null }])
    const maintenance = postgresMaintenance(store.pool)
    const sizes = await maintenance.sizes()
    expect(sizes).toMatchObject({ journalRows: 3, historyRows: 1 })
    expect(sizes.databaseBytes).toBeGreaterThan(1_000_000)
    expect(maintenance.backup()).toMatchObject({ code: 'backup.postgres', hint: expect.stringContaining('pg_dump') })
  })
})
