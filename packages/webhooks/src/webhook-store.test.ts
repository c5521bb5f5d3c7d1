import { describe, expect, it } from 'vitest'
import { eachBackend, emptyTables, runJoined } from '@switchyard/storage/testing'
import Database from 'better-sqlite3'
import { WEBHOOK_MIGRATIONS, migrate } from './migrations'
import { createPostgresWebhookStore } from './postgres-webhook-store'
import { DUE_OF_SQL, createSqliteWebhookStore } from './sqlite-webhook-store'
import { WEBHOOK_TABLES } from './testing'
import { deliveryClaimsContract } from './delivery-claims.contract'
import { type StoreUnderTest, webhookStoreContract } from './webhook-store.contract'
import { addWebhook, delivery, failedBatch, ids, takeAll } from './webhook-store.fixtures'
import { DeliveryRow, StoredJobRecord, deliveriesFromRows, type StoredJob } from './webhook-store'

eachBackend<StoreUnderTest>(
  'webhook-store',
  {
    sqlite: async () => {
      const db = new Database(':memory:')
      migrate(db, 0)
      return { store: createSqliteWebhookStore(db), exec: async (sql) => void db.exec(sql), joined: (w, o) => runJoined({ kind: 'sqlite', db }, w, o) }
    },
    postgres: async (pool) => {
      await emptyTables(pool, WEBHOOK_MIGRATIONS, WEBHOOK_TABLES)
      return { store: createPostgresWebhookStore(pool), exec: async (sql) => void (await pool.query(sql)), joined: (w, o) => runJoined({ kind: 'postgres', pool }, w, o) }
    },
  },
  (open) => {
    webhookStoreContract(open)
    deliveryClaimsContract(open)
  },
)

describe('a claim on SQLite', () => {
  it('reads a webhook\'s waiting deliveries through an index in due order, sorting none of them', async () => {
    const db = new Database(':memory:')
    migrate(db)
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${DUE_OF_SQL}`)
      .all('wh', 0, 50)
      .map((r) => String((r as { detail: unknown }).detail))
    expect(plan.join('\n')).toContain('USING INDEX webhook_deliveries_waiting')
    expect(plan.join('\n')).not.toContain('TEMP B-TREE')
    db.close()
  })

  it('reads outside the write lock and leaves out a unit changed before its claim: a batch is claimed whole or not at all', async () => {
    const db = new Database(':memory:')
    migrate(db, 0)
    const store = createSqliteWebhookStore(db)
    await addWebhook(store, 'wh_1')
    await failedBatch(store, 'wh_1', 'batch_1', ['m1', 'm2', 'm3'])
    await store.enqueue(delivery('gone', 'wh_1', 1000))
    await store.enqueue(delivery('kept', 'wh_1', 1000))
    const units = await store.claimDue(3000, {
      limit: () => 100,
      plan: (w, due, batches) => {
        // Between the read and the claim: one delivery removed, one member of the batch tried by someone else.
        db.prepare("DELETE FROM webhook_deliveries WHERE id = 'gone'").run()
        db.prepare("UPDATE webhook_deliveries SET attempts = attempts + 1 WHERE id = 'm2'").run()
        return takeAll().plan(w, due, batches)
      },
    })
    expect(units.map((u) => ids(u.members))).toEqual([['kept']])
    expect((await store.getDelivery('kept'))?.status).toBe('delivering')
    for (const id of ['m1', 'm2', 'm3']) expect((await store.getDelivery(id))?.status).toBe('failed')
    // Nothing changed meanwhile: the batch is claimed on the next look.
    expect((await store.claimDue(3000, takeAll())).map((u) => [u.batchId, ids(u.members)])).toEqual([['batch_1', ['m1', 'm2', 'm3']]])
    db.close()
  })
})

describe('delivery rows read by a claim', () => {
  const job = {
    kind: 'webhook',
    id: 'dlv_1',
    webhookId: 'wh_1',
    params: [],
    customParams: {},
    body: { kind: 'journey' },
    context: { workspace: 'default', journey: { id: 'jny_1', name: 'J', version: 1 }, runId: 'run_1', nodeId: 'hook', user: { id: 'ann', traits: {} }, event: null, message: null },
    createdAt: 1,
  }
  const row = {
    id: 'dlv_1',
    webhook_id: 'wh_1',
    source: 'journey',
    job: StoredJobRecord.encode(job as StoredJob),
    status: 'pending',
    attempts: 0,
    replay_base: 0,
    next_attempt_at: 5,
    batch_id: null,
    last_status: null,
    last_error: null,
    created_at: 1,
    updated_at: 2,
  }

  it('maps rows as this build writes them exactly as the schema does', () => {
    const account = { ...row, id: 'dlv_2', source: 'account', job: StoredJobRecord.encode({ kind: 'account', type: 'message.sent', eventId: 'evt_1', body: { a: 1 } }), last_status: 500, last_error: 'HTTP 500' }
    expect(deliveriesFromRows([row, account])).toEqual([DeliveryRow.parse(row), DeliveryRow.parse(account)])
  })

  it('leaves any other row to the schema, which says what is wrong', () => {
    expect(() => deliveriesFromRows([{ ...row, attempts: '2' }])).toThrow(/attempts/)
    expect(() => deliveriesFromRows([{ ...row, status: 'lost' }])).toThrow(/status/)
    // A job of an unknown kind is refused by the union, not passed by the top-level check.
    expect(() => deliveriesFromRows([{ ...row, job: StoredJobRecord.encode({ ...job, kind: 'fax' } as unknown as StoredJob) }])).toThrow(/webhook delivery job/)
  })
})
