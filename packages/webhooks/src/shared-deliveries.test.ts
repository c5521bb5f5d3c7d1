import { openPostgres } from '@switchyard/storage'
import { emptyTables, postgresPerFile } from '@switchyard/storage/testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WEBHOOK_MIGRATIONS } from './migrations'
import { createPostgresWebhookStore } from './postgres-webhook-store'
import { createSigningSecret } from './sign'
import { type Receiver, WEBHOOK_TABLES, fakeClock, sampleJob, startReceiver, testService } from './testing'
import { STALE_CLAIM_MS } from './webhook-service'
import { CONFIG as STORED_CONFIG, failedBatch } from './webhook-store.fixtures'

/** Several processes on one PostgreSQL database share the deliveries: each pool here stands for one process. */
describe('deliveries shared by processes on PostgreSQL', () => {
  const pg = postgresPerFile('webhook-shared')
  let receiver: Receiver
  const closers: (() => Promise<void>)[] = []
  beforeEach(async () => {
    await emptyTables(pg.pool, WEBHOOK_MIGRATIONS, WEBHOOK_TABLES)
    receiver = await startReceiver()
  })
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close()
    await receiver.close()
  })
  /** `stopped`: a process that died mid-send, so there is nothing to wait for when closing. */
  const processOn = async (options: Parameters<typeof testService>[0] = {}, stopped = false) => {
    const pool = openPostgres(pg.url, { max: 4 })
    const t = await testService({ backend: { kind: 'postgres', pool }, batchSize: 1, concurrency: 8, ...options })
    closers.push(() => pool.end())
    if (!stopped) closers.push(() => t.service.close())
    return t.service
  }

  it('sends every delivery once when three processes claim at the same time', async () => {
    const processes = [await processOn(), await processOn(), await processOn()]
    const created = await processes[0]!.create({ name: 'CRM', url: receiver.url })
    if (!created.ok) throw new Error(created.message)
    for (let i = 0; i < 30; i += 1) await processes[0]!.enqueue(sampleJob(created.value.id, { id: `dlv_${i}` }))
    // Each process ticks until nothing is due: concurrency 8 each, so none can take everything at once.
    await Promise.all(processes.map(async (p) => {
      for (let round = 0; round < 10; round += 1) await p.tick()
    }))
    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']))
    expect(ids).toHaveLength(30)
    expect(new Set(ids).size).toBe(30)
    const deliveries = await processes[1]!.deliveries(created.value.id, { limit: 100 })
    expect(deliveries.ok && deliveries.value.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true)
  })

  it('leaves a live process its claim, and sends what a stopped one had claimed once the claim is stale', async () => {
    const clock = fakeClock()
    const stuck = await processOn({
      clock,
      // The process stops mid-send: its request never answers.
      transport: { send: () => new Promise(() => undefined), close: async () => undefined },
    }, true)
    const created = await stuck.create({ name: 'CRM', url: receiver.url })
    if (!created.ok) throw new Error(created.message)
    await stuck.enqueue(sampleJob(created.value.id, { id: 'dlv_claimed' }))
    void stuck.tick()
    await vi.waitFor(async () => expect((await stuck.delivery('dlv_claimed')).ok && (await stuck.delivery('dlv_claimed'))).toMatchObject({ value: { status: 'delivering' } }))

    const other = await processOn({ clock })
    await other.tick()
    expect(receiver.requests).toHaveLength(0)
    clock.advance(STALE_CLAIM_MS + 60_000)
    await other.tick()
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(['dlv_claimed'])
    expect(await other.delivery('dlv_claimed')).toMatchObject({ ok: true, value: { status: 'delivered', attempts: 1 } })
  })

  it('keeps passwords, signing secrets and header values sealed in every table, and out of answers and logs', async () => {
    const canary = 'canary-Pa55word-pg-41d2'
    const secret = createSigningSecret()
    const pool = openPostgres(pg.url, { max: 2 })
    const t = await testService({ backend: { kind: 'postgres', pool } })
    closers.push(() => pool.end(), () => t.service.close())
    const created = await t.service.create({ name: 'CRM', url: receiver.url, auth: { type: 'basic', username: 'sy', password: canary }, headers: { 'X-Key': `${canary}-h` }, signingSecret: secret })
    if (!created.ok) throw new Error(created.message)
    await t.service.enqueue(sampleJob(created.value.id))
    await t.service.tick()
    expect(receiver.requests[0]?.headers['x-key']).toBe(`${canary}-h`)
    const answers = JSON.stringify([created, await t.service.list(), await t.service.deliveries(created.value.id)])
    const { rows } = await pg.pool.query(
      `SELECT row_to_json(w)::text AS r FROM webhooks w UNION ALL SELECT row_to_json(d)::text FROM webhook_deliveries d
       UNION ALL SELECT row_to_json(a)::text FROM webhook_attempts a UNION ALL SELECT row_to_json(l)::text FROM webhook_alerts l`,
    )
    const stored = JSON.stringify(rows)
    expect(stored).toContain('CRM')
    for (const text of [answers, stored, JSON.stringify(t.logs)]) {
      expect(text).not.toContain(canary)
      expect(text).not.toContain(secret.slice('whsec_'.length))
    }
  })

  it('sends no part of a batch under its id while another process holds the other part', async () => {
    const store = createPostgresWebhookStore(pg.pool)
    await store.insertWebhook({ id: 'wh_1', name: 'CRM', config: STORED_CONFIG, enabled: true, now: 1000 })
    await failedBatch(store, 'wh_1', 'batch_1', ['m1', 'm2', 'm3', 'm4'])
    // Another process is inside its claim and holds m1 and m2.
    const other = openPostgres(pg.url, { max: 1 })
    closers.push(() => other.end())
    const holder = await other.connect()
    await holder.query('BEGIN')
    await holder.query("SELECT id FROM webhook_deliveries WHERE id IN ('m1', 'm2') FOR UPDATE")
    try {
      const seen: { due: (string | null)[]; batches: string[] }[] = []
      const units = await store.claimDue(3000, {
        limit: () => 10,
        plan: (w, due, batches) => {
          seen.push({ due: due.map((d) => d.batchId), batches: [...batches.keys()] })
          return [{ webhookId: w.id, batchId: 'batch_2', members: [...due] }]
        },
      })
      // The part this claim could lock comes without its batch, and goes out under a new id.
      expect(seen).toEqual([{ due: [null, null], batches: [] }])
      expect(units.map((u) => [u.batchId, u.members.map((m) => m.id)])).toEqual([['batch_2', ['m3', 'm4']]])
      expect(await store.getDelivery('m3')).toMatchObject({ status: 'delivering', batchId: 'batch_2' })
    } finally {
      await holder.query('ROLLBACK')
      holder.release()
    }
    // Alone, the rest of the old batch keeps its id.
    const rest = await store.claimDue(3000, { limit: () => 10, plan: (w, due, batches) => [{ webhookId: w.id, batchId: due[0]?.batchId ?? null, members: batches.get('batch_1') ?? [...due] }] })
    expect(rest.map((u) => [u.batchId, u.members.map((m) => m.id)])).toEqual([['batch_1', ['m1', 'm2']]])
  })
})
