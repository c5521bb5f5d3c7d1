import { beforeEach, describe, expect, it } from 'vitest'
import type { NewDelivery, WebhookStore } from './webhook-store'
import { sampleJob } from './testing'
import { CONFIG, addWebhook, answered500, delivery, ids, takeAll, type StoreUnderTest } from './webhook-store.fixtures'

export type { StoreUnderTest } from './webhook-store.fixtures'

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

  const webhook = (id: string, now = 1000, enabled = true) => addWebhook(store, id, now, enabled)

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
  })

  describe('alerts', () => {
    it('lists alerts newest first, per webhook or all, and records when one was notified', async () => {
      await webhook('wh_1')
      await webhook('wh_2')
      const raise = async (webhookId: string, at: number) => {
        await store.enqueue(delivery(`d_${webhookId}_${at}`, webhookId, at))
        const s = await store.settle(answered500(webhookId, `d_${webhookId}_${at}`, at, at + 1, () => ({ patch: {}, alerts: [{ kind: 'circuit_open', message: `at ${at}` }] })))
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
