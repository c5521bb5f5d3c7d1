import { beforeEach, describe, expect, it } from 'vitest'
import type { JoinedWrite } from '@switchyard/storage'
import { sampleJob } from './testing'
import type { ClaimPlanner, DeliveryRecord, NewDelivery, StoredConfig, WebhookRecord, WebhookStore } from './webhook-store'

/** What a backend gives each contract test: a store on empty tables, and raw SQL for what the interface cannot write. */
export interface StoreUnderTest {
  store: WebhookStore
  exec(sql: string): Promise<void>
  /** Runs a joined write in a transaction on the store's database, as another store owning it would; rolled back after it when asked. */
  joined(write: JoinedWrite, o?: { rollback?: boolean }): Promise<void>
}

/** A webhook's stored configuration, for tests that write through a store. */
export const CONFIG: StoredConfig = {
  v: 2,
  url: 'https://crm.example.com/hooks',
  encoding: 'json',
  auth: null,
  headersSealed: {},
  querySealed: {},
  timeoutMs: 3000,
  retry: { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 300_000 },
  signingSecretSealed: null,
  events: ['journey.published'],
}

const delivery = (id: string, webhookId: string, now: number): NewDelivery => ({ id, webhookId, source: 'journey', job: sampleJob(webhookId, { id }), now })

/** Takes every due row one request each, as many as the limit lets through. */
const takeAll = (limit = 100): ClaimPlanner => ({
  limit: () => limit,
  plan: (webhook, due, batches) =>
    due.map((d) => (d.batchId === null ? { webhookId: webhook.id, batchId: null, members: [d] } : { webhookId: webhook.id, batchId: d.batchId, members: batches.get(d.batchId) ?? [d] })),
})

const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id)

/**
 * Deliveries `members` of webhook `webhookId` (which must exist), queued at 1000, claimed as batch
 * `batchId` and answered 503 at 1100: each is `failed`, next due at 3000, still in the batch.
 */
export async function failedBatch(store: WebhookStore, webhookId: string, batchId: string, members: readonly string[]): Promise<void> {
  for (const id of members) await store.enqueue(delivery(id, webhookId, 1000))
  await store.claimDue(1000, { limit: () => 10, plan: (w, due) => [{ webhookId: w.id, batchId, members: [...due] }] })
  await store.settle({
    webhookId,
    batchId,
    at: 1100,
    httpStatus: 503,
    durationMs: 7,
    error: 'HTTP 503',
    members: members.map((id) => ({ id, attempt: 1, status: 'failed' as const, nextAttemptAt: 3000 })),
    breaker: null,
  })
}

/**
 * The behaviour every WebhookStore must have, whatever the database. `open` answers a store on
 * empty webhooks tables (called before each test).
 */
export function webhookStoreContract(open: () => Promise<StoreUnderTest>): void {
  let store: WebhookStore
  let exec: (sql: string) => Promise<void>
  let joined: StoreUnderTest['joined']
  beforeEach(async () => {
    ;({ store, exec, joined } = await open())
  })

  const webhook = async (id: string, now = 1000, enabled = true) => {
    await store.insertWebhook({ id, name: `Hook ${id}`, config: CONFIG, enabled, now })
  }

  describe('webhooks', () => {
    it('reads back what was inserted, oldest first, and null for an unknown id', async () => {
      await webhook('wh_b', 2000, false)
      await webhook('wh_a', 1000)
      expect(await store.getWebhook('wh_a')).toEqual({
        id: 'wh_a',
        name: 'Hook wh_a',
        config: CONFIG,
        enabled: true,
        testStatus: 'untested',
        lastTestedAt: null,
        state: 'active',
        pausedUntil: null,
        consecutiveFailures: 0,
        createdAt: 1000,
        updatedAt: 1000,
      })
      expect((await store.getWebhook('wh_b'))?.enabled).toBe(false)
      expect(ids(await store.listWebhooks())).toEqual(['wh_a', 'wh_b'])
      expect(await store.getWebhook('wh_none')).toBeNull()
    })

    it('changes only what the patch names, answers what decide answered, and null for an unknown webhook', async () => {
      await webhook('wh_1')
      const changed = await store.changeWebhook('wh_1', (current) => ({ patch: { state: 'paused', pausedUntil: 9000, consecutiveFailures: current.consecutiveFailures + 3 }, answer: current.name }))
      expect(changed).toEqual({ answer: 'Hook wh_1' })
      expect(await store.getWebhook('wh_1')).toMatchObject({ state: 'paused', pausedUntil: 9000, consecutiveFailures: 3, name: 'Hook wh_1', testStatus: 'untested' })
      await store.changeWebhook('wh_1', () => ({ patch: { name: 'Renamed', config: { ...CONFIG, url: 'https://b.example.com' }, enabled: false, updatedAt: 5000, testStatus: 'passing', lastTestedAt: 4000 }, answer: null }))
      expect(await store.getWebhook('wh_1')).toMatchObject({ name: 'Renamed', config: { url: 'https://b.example.com' }, enabled: false, updatedAt: 5000, testStatus: 'passing', lastTestedAt: 4000, state: 'paused' })
      expect(await store.changeWebhook('wh_1', () => ({ patch: null, answer: 1 }))).toEqual({ answer: 1 })
      expect(await store.changeWebhook('wh_none', () => ({ patch: { name: 'x' }, answer: 1 }))).toBeNull()
    })

    it('rewrites v1 configs with sealed values and leaves v2 ones alone', async () => {
      await webhook('wh_new')
      const v1 = { ...CONFIG, v: 1, headers: { 'X-Key': 'plain' }, query: { token: 'q' } }
      await exec(`INSERT INTO webhooks (id, name, config, enabled, created_at, updated_at) VALUES ('wh_old', 'Old', '${JSON.stringify(v1)}', 1, 0, 0)`)
      expect(await store.sealLegacyConfigs((plain) => `sealed(${plain})`)).toBe(1)
      expect((await store.getWebhook('wh_old'))?.config).toMatchObject({ v: 2, headersSealed: { 'X-Key': 'sealed(plain)' }, querySealed: { token: 'sealed(q)' } })
      expect((await store.getWebhook('wh_new'))?.config).toEqual(CONFIG)
      expect(await store.sealLegacyConfigs((plain) => plain)).toBe(0)
    })

    it('deletes a webhook with its deliveries and their attempts, and only its own', async () => {
      await webhook('wh_1')
      await webhook('wh_2')
      await store.enqueue(delivery('d1', 'wh_1', 1000))
      await store.enqueue(delivery('d2', 'wh_2', 1000))
      const [unit] = await store.claimDue(1000, takeAll())
      await store.settle({ webhookId: 'wh_1', batchId: null, at: 1100, httpStatus: 500, durationMs: 5, error: 'HTTP 500', members: [{ id: 'd1', attempt: 1, status: 'failed', nextAttemptAt: 2000 }], breaker: null })
      expect(unit).toBeDefined()
      expect(await store.deleteWebhook('wh_1')).toBe(true)
      expect(await store.getDelivery('d1')).toBeNull()
      expect(await store.attemptsOf(['d1'])).toEqual(new Map())
      expect(await store.getDelivery('d2')).not.toBeNull()
      expect(await store.deleteWebhook('wh_1')).toBe(false)
    })
  })

  describe('deliveries', () => {
    it('enqueues once per id, and not for a webhook that does not exist', async () => {
      await webhook('wh_1')
      expect(await store.enqueue(delivery('d1', 'wh_1', 1000))).toBe('inserted')
      expect(await store.enqueue(delivery('d1', 'wh_1', 2000))).toBe('duplicate')
      expect(await store.enqueue(delivery('d2', 'wh_none', 1000))).toBe('missing')
      expect(await store.getDelivery('d2')).toBeNull()
      expect(await store.getDelivery('d1')).toMatchObject({
        id: 'd1',
        webhookId: 'wh_1',
        source: 'journey',
        job: sampleJob('wh_1', { id: 'd1' }),
        status: 'pending',
        attempts: 0,
        replayBase: 0,
        nextAttemptAt: 1000,
        batchId: null,
        lastStatus: null,
        lastError: null,
        createdAt: 1000,
      })
    })

    it('enqueues what the picker chooses among the webhooks, idempotently, answering the ids picked', async () => {
      await webhook('wh_1')
      await webhook('wh_2', 1000, false)
      const pick = (webhooks: readonly { id: string; enabled: boolean }[]): NewDelivery[] =>
        webhooks.filter((w) => w.enabled).map((w) => ({ id: `evt_${w.id}`, webhookId: w.id, source: 'account', job: { kind: 'account', type: 'journey.published', eventId: 'e1', body: { a: 1 } }, now: 1000 }))
      expect(await store.enqueueFor(pick)).toEqual(['evt_wh_1'])
      expect(await store.enqueueFor(pick)).toEqual(['evt_wh_1'])
      expect(await store.deliveriesOf('wh_1', 10)).toMatchObject([{ id: 'evt_wh_1', source: 'account', job: { kind: 'account', body: { a: 1 } } }])
      expect(await store.enqueueFor(() => [])).toEqual([])
    })

    it("enqueues inside another store's transaction what the picker chooses among the webhooks as they are then, and nothing when it rolls back", async () => {
      await webhook('wh_1')
      await webhook('wh_2')
      const pick = (webhooks: readonly { id: string }[]): NewDelivery[] =>
        webhooks.filter((w) => w.id === 'wh_1' || w.id === 'wh_3').map((w) => delivery(`j_${w.id}`, w.id, 1000))
      await joined(store.enqueuingFor(pick), { rollback: true })
      expect(await store.deliveriesOf('wh_1', 10)).toEqual([])
      // Webhooks are read when the write runs: one created after the write was made is seen.
      const write = store.enqueuingFor(pick)
      await webhook('wh_3')
      await joined(write)
      expect((await store.deliveriesOf('wh_1', 10)).map((d) => d.id)).toEqual(['j_wh_1'])
      expect((await store.deliveriesOf('wh_3', 10)).map((d) => d.id)).toEqual(['j_wh_3'])
      expect(await store.deliveriesOf('wh_2', 10)).toEqual([])
    })

    it('lists a webhook deliveries newest first, up to the limit', async () => {
      await webhook('wh_1')
      for (const [id, at] of [['a', 1000], ['b', 3000], ['c', 2000]] as const) await store.enqueue(delivery(id, 'wh_1', at))
      expect(ids(await store.deliveriesOf('wh_1', 10))).toEqual(['b', 'c', 'a'])
      expect(ids(await store.deliveriesOf('wh_1', 2))).toEqual(['b', 'c'])
      expect(await store.deliveriesOf('wh_none', 10)).toEqual([])
    })

    it('claims only due waiting rows, moves them to delivering, and never hands one out twice', async () => {
      await webhook('wh_1')
      await store.enqueue(delivery('due', 'wh_1', 1000))
      await store.enqueue(delivery('later', 'wh_1', 5000))
      const first = await store.claimDue(2000, takeAll())
      expect(first.map((u) => ids(u.members))).toEqual([['due']])
      expect((await store.getDelivery('due'))?.status).toBe('delivering')
      expect(await store.claimDue(2000, takeAll())).toEqual([])
      expect((await store.claimDue(5000, takeAll())).map((u) => ids(u.members))).toEqual([['later']])
    })

    it('reads no more due rows than the planner asks for, oldest first, and skips a webhook it gives 0', async () => {
      await webhook('wh_1')
      await webhook('wh_2')
      for (const [id, at] of [['x3', 1300], ['x1', 1100], ['x2', 1200]] as const) await store.enqueue(delivery(id, 'wh_1', at))
      await store.enqueue(delivery('y1', 'wh_2', 1000))
      const seen: DeliveryRecord[][] = []
      const planner: ClaimPlanner = {
        limit: (w) => (w.id === 'wh_1' ? 2 : 0),
        plan: (w, due) => {
          seen.push([...due])
          return [{ webhookId: w.id, batchId: null, members: [...due] }]
        },
      }
      const units = await store.claimDue(2000, planner)
      expect(seen.map(ids)).toEqual([['x1', 'x2']])
      expect(units.map((u) => ids(u.members))).toEqual([['x1', 'x2']])
      expect((await store.getDelivery('x3'))?.status).toBe('pending')
      expect((await store.getDelivery('y1'))?.status).toBe('pending')
    })

    it('claims a batch with every waiting member and keeps its id on them', async () => {
      await webhook('wh_1')
      await failedBatch(store, 'wh_1', 'batch_1', ['m1', 'm2', 'm3'])
      // The planner reads one due row; the store still hands it the whole batch.
      const seen: string[][] = []
      const units = await store.claimDue(3000, {
        limit: () => 1,
        plan: (w, due, batches) => {
          seen.push(ids(batches.get('batch_1') ?? []))
          return [{ webhookId: w.id, batchId: 'batch_1', members: batches.get('batch_1') ?? [...due] }]
        },
      })
      expect(seen).toEqual([['m1', 'm2', 'm3']])
      expect(units.map((u) => [u.batchId, ids(u.members)])).toEqual([['batch_1', ['m1', 'm2', 'm3']]])
      for (const id of ['m1', 'm2', 'm3']) expect(await store.getDelivery(id)).toMatchObject({ status: 'delivering', batchId: 'batch_1' })
    })

    it('shares the due rows between claims running at once without taking any twice', async () => {
      await webhook('wh_1')
      for (let i = 0; i < 40; i += 1) await store.enqueue(delivery(`d${String(i).padStart(2, '0')}`, 'wh_1', 1000 + i))
      const claims = await Promise.all(Array.from({ length: 4 }, () => store.claimDue(5000, takeAll(15))))
      const taken = claims.flatMap((units) => units.flatMap((u) => ids(u.members)))
      expect(new Set(taken).size).toBe(taken.length)
      expect(taken.length).toBe(40)
    })

    it('records an attempt on every member and moves them on in one settle', async () => {
      await webhook('wh_1')
      await store.enqueue(delivery('d1', 'wh_1', 1000))
      await store.enqueue(delivery('d2', 'wh_1', 1000))
      await store.claimDue(1000, takeAll())
      const settled = await store.settle({
        webhookId: 'wh_1',
        batchId: 'b1',
        at: 1500,
        httpStatus: 200,
        durationMs: 12,
        error: null,
        members: [
          { id: 'd1', attempt: 1, status: 'delivered', nextAttemptAt: null },
          { id: 'd2', attempt: 1, status: 'delivered', nextAttemptAt: null },
        ],
        breaker: null,
      })
      expect(settled).toMatchObject({ webhook: { id: 'wh_1' }, alertIds: [] })
      expect(await store.getDelivery('d1')).toMatchObject({ status: 'delivered', attempts: 1, nextAttemptAt: null, batchId: 'b1', lastStatus: 200, lastError: null, updatedAt: 1500 })
      const attempts = await store.attemptsOf(['d1', 'd2', 'd_none'])
      expect([...attempts.keys()].sort()).toEqual(['d1', 'd2'])
      expect(attempts.get('d1')).toEqual([{ deliveryId: 'd1', attempt: 1, webhookId: 'wh_1', at: 1500, status: 200, durationMs: 12, error: null }])
    })

    it('applies the breaker decided on the webhook as settled, with its alerts, and writes nothing once the webhook is gone', async () => {
      await webhook('wh_1')
      await store.enqueue(delivery('d1', 'wh_1', 1000))
      await store.claimDue(1000, takeAll())
      const settled = await store.settle({
        webhookId: 'wh_1',
        batchId: null,
        at: 2000,
        httpStatus: 410,
        durationMs: 3,
        error: 'HTTP 410',
        members: [{ id: 'd1', attempt: 1, status: 'dead', nextAttemptAt: null }],
        breaker: (w) => ({
          patch: { state: 'disabled', consecutiveFailures: w.consecutiveFailures + 1 },
          alerts: [
            { kind: 'circuit_open', message: 'first' },
            { kind: 'endpoint_gone', message: 'second' },
          ],
        }),
      })
      expect(settled?.alertIds).toHaveLength(2)
      expect(await store.getWebhook('wh_1')).toMatchObject({ state: 'disabled', consecutiveFailures: 1 })
      const alerts = await store.alerts('wh_1', 10)
      expect(alerts.map((a) => [a.id, a.kind, a.message, a.at, a.notifiedAt]).sort()).toEqual(
        [
          [settled?.alertIds[0], 'circuit_open', 'first', 2000, null],
          [settled?.alertIds[1], 'endpoint_gone', 'second', 2000, null],
        ].sort(),
      )
      await store.deleteWebhook('wh_1')
      expect(await store.settle({ webhookId: 'wh_1', batchId: null, at: 3000, httpStatus: 200, durationMs: 1, error: null, members: [{ id: 'd1', attempt: 2, status: 'delivered', nextAttemptAt: null }], breaker: null })).toBeNull()
      expect(await store.attemptsOf(['d1'])).toEqual(new Map())
    })

    it('settles several attempts in one call, each as alone, answering in the order given', async () => {
      await webhook('wh_2')
      await webhook('wh_1')
      for (const [id, hook] of [['a', 'wh_2'], ['b', 'wh_1'], ['c', 'wh_2']] as const) await store.enqueue(delivery(id, hook, 1000))
      const fail = (webhookId: string, id: string, at: number) => ({
        webhookId,
        batchId: null,
        at,
        httpStatus: 500,
        durationMs: 1,
        error: 'HTTP 500',
        members: [{ id, attempt: 1, status: 'failed' as const, nextAttemptAt: at + 1000 }],
        breaker: (w: WebhookRecord) => ({ patch: { consecutiveFailures: w.consecutiveFailures + 1 }, alerts: [] }),
      })
      const out = await store.settleAll([fail('wh_2', 'a', 2000), fail('wh_1', 'b', 2001), fail('wh_2', 'c', 2002), fail('wh_none', 'x', 2003)])
      expect(out.map((r) => r?.webhook.id ?? null)).toEqual(['wh_2', 'wh_1', 'wh_2', null])
      // The second settlement of wh_2 saw the first one's count: the same as two calls one after the other.
      expect(out[2]?.webhook.consecutiveFailures).toBe(1)
      expect((await store.getWebhook('wh_2'))?.consecutiveFailures).toBe(2)
      expect((await store.getWebhook('wh_1'))?.consecutiveFailures).toBe(1)
      expect([...(await store.attemptsOf(['a', 'b', 'c'])).keys()].sort()).toEqual(['a', 'b', 'c'])
      expect(await store.settleAll([])).toEqual([])
    })

    it('overwrites an attempt recorded twice under the same number', async () => {
      await webhook('wh_1')
      await store.enqueue(delivery('d1', 'wh_1', 1000))
      const attempt = (at: number, status: number) =>
        store.settle({ webhookId: 'wh_1', batchId: null, at, httpStatus: status, durationMs: 1, error: null, members: [{ id: 'd1', attempt: 1, status: 'delivered', nextAttemptAt: null }], breaker: null })
      await attempt(1000, 500)
      await attempt(2000, 200)
      expect(await store.attemptsOf(['d1'])).toEqual(new Map([['d1', [{ deliveryId: 'd1', attempt: 1, webhookId: 'wh_1', at: 2000, status: 200, durationMs: 1, error: null }]]]))
    })

    it('replays only a dead delivery, due now, out of its batch, with the retry budget counted from here', async () => {
      await webhook('wh_1')
      await store.enqueue(delivery('d1', 'wh_1', 1000))
      await store.claimDue(1000, takeAll())
      expect(await store.replay('d1', 1500)).toBe(false)
      await store.settle({ webhookId: 'wh_1', batchId: 'b1', at: 2000, httpStatus: 400, durationMs: 1, error: 'HTTP 400', members: [{ id: 'd1', attempt: 3, status: 'dead', nextAttemptAt: null }], breaker: null })
      expect(await store.replay('d1', 2500)).toBe(true)
      expect(await store.getDelivery('d1')).toMatchObject({ status: 'pending', attempts: 3, replayBase: 3, nextAttemptAt: 2500, batchId: null, updatedAt: 2500 })
      expect(await store.replay('d1', 2600)).toBe(false)
      expect(await store.replay('d_none', 2600)).toBe(false)
    })

    it('tells when the soonest waiting delivery falls due, over every webhook, leaving out those in flight', async () => {
      expect(await store.nextDue()).toBeNull()
      await webhook('wh_1')
      await webhook('wh_2')
      await store.enqueue(delivery('d1', 'wh_1', 5000))
      await store.enqueue(delivery('d2', 'wh_2', 3000))
      expect(await store.nextDue()).toBe(3000)
      await store.claimDue(3000, { limit: () => 1, plan: (w, due) => [{ webhookId: w.id, batchId: null, members: [...due] }] })
      expect((await store.getDelivery('d2'))?.status).toBe('delivering')
      expect(await store.nextDue()).toBe(5000)
    })

    it('puts claims a previous process left in flight back in the queue, due now', async () => {
      await webhook('wh_1')
      await store.enqueue(delivery('d1', 'wh_1', 1000))
      await store.enqueue(delivery('d2', 'wh_1', 1000))
      await store.claimDue(1000, { limit: () => 1, plan: (w, due) => [{ webhookId: w.id, batchId: null, members: [...due] }] })
      const later = 1000 + 24 * 3600_000
      // A claim made after the cut-off belongs to a process that may still be sending it.
      expect(await store.recover(later, 999)).toBe(0)
      expect((await store.getDelivery('d1'))?.status).toBe('delivering')
      expect(await store.recover(later, 1000)).toBe(1)
      expect(await store.getDelivery('d1')).toMatchObject({ status: 'pending', nextAttemptAt: later })
      expect(await store.getDelivery('d2')).toMatchObject({ status: 'pending', nextAttemptAt: 1000 })
      expect(await store.recover(later, later)).toBe(0)
    })
  })

  describe('alerts', () => {
    it('lists alerts newest first, per webhook or all, and records when one was notified', async () => {
      await webhook('wh_1')
      await webhook('wh_2')
      const raise = async (webhookId: string, at: number) => {
        await store.enqueue(delivery(`d_${webhookId}_${at}`, webhookId, at))
        const s = await store.settle({
          webhookId,
          batchId: null,
          at,
          httpStatus: 500,
          durationMs: 1,
          error: 'HTTP 500',
          members: [{ id: `d_${webhookId}_${at}`, attempt: 1, status: 'failed', nextAttemptAt: at + 1 }],
          breaker: () => ({ patch: {}, alerts: [{ kind: 'circuit_open', message: `at ${at}` }] }),
        })
        return s?.alertIds[0] ?? -1
      }
      const a1 = await raise('wh_1', 1000)
      await raise('wh_2', 2000)
      await raise('wh_1', 3000)
      expect((await store.alerts('wh_1', 10)).map((a) => a.message)).toEqual(['at 3000', 'at 1000'])
      expect((await store.alerts(null, 2)).map((a) => a.message)).toEqual(['at 3000', 'at 2000'])
      await store.alertNotified(a1, 4000)
      expect((await store.alerts('wh_1', 10)).find((a) => a.id === a1)?.notifiedAt).toBe(4000)
    })
  })
}
