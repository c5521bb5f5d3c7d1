import { beforeEach, describe, expect, it } from 'vitest'
import type { ClaimPlanner, DeliveryRecord, WebhookRecord, WebhookStore } from './webhook-store'
import { addWebhook, answered500, delivery, failedBatch, ids, takeAll, type StoreUnderTest } from './webhook-store.fixtures'

/**
 * How every WebhookStore claims due deliveries and settles their attempts, whatever the database:
 * claims, batches, settlement with the breaker, replay, the next due time and recovery. `open`
 * answers a store on empty webhooks tables (called before each test).
 */
export function deliveryClaimsContract(open: () => Promise<StoreUnderTest>): void {
  let store: WebhookStore
  beforeEach(async () => {
    ;({ store } = await open())
  })

  const webhook = (id: string, now = 1000, enabled = true) => addWebhook(store, id, now, enabled)

  describe('deliveries', () => {
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
      const fail = (webhookId: string, id: string, at: number) =>
        answered500(webhookId, id, at, at + 1000, (w: WebhookRecord) => ({ patch: { consecutiveFailures: w.consecutiveFailures + 1 }, alerts: [] }))
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
}
