import type { WebhookAlertView, WebhookDeliveryView } from '@switchyard/schema'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Receiver, type ReceivedRequest, type Reply, eachBackend, gate, sampleJob, startReceiver, testService } from './testing'

let receivers: Receiver[] = []
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()))
  await Promise.all(receivers.map((r) => r.close()))
  receivers = []
})

eachBackend('webhook-retry', (backend) => {
  async function setup(reply: (req: ReceivedRequest) => Reply, input: Record<string, unknown> = {}, options: Parameters<typeof testService>[0] = {}) {
    const receiver = await startReceiver('127.0.0.1', reply)
    receivers.push(receiver)
    const t = await testService({ ...(await backend()), ...options })
    closers.push(() => t.service.close())
    const created = await t.service.create({ name: 'CRM', url: `${receiver.url}/hooks`, ...input })
    if (!created.ok) throw new Error(created.message)
    return { ...t, receiver, webhook: created.value }
  }

  async function deliveryOf(service: Awaited<ReturnType<typeof testService>>['service'], webhookId: string, id: string): Promise<WebhookDeliveryView> {
    const list = await service.deliveries(webhookId, { limit: 500 })
    if (!list.ok) throw new Error(list.message)
    const found = list.value.find((d) => d.id === id)
    if (found === undefined) throw new Error(`no delivery ${id}`)
    return found
  }

  describe('retries', () => {
    it('backs off exponentially with full jitter on 5xx, then delivers with the same webhook-id', async () => {
      let calls = 0
      const { service, receiver, webhook, clock } = await setup(() => ({ status: ++calls <= 3 ? 503 : 200 }))
      await service.enqueue(sampleJob(webhook.id))
      const t0 = clock.now()
      await service.tick()
      // random() is pinned to 0.5: waits are half of 1000, 2000, 4000 ms.
      expect(await deliveryOf(service, webhook.id, 'dlv_1')).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: new Date(t0 + 500).toISOString() })
      clock.advance(499)
      await service.tick()
      expect(receiver.requests).toHaveLength(1)
      clock.advance(1)
      await service.tick()
      expect(await deliveryOf(service, webhook.id, 'dlv_1')).toMatchObject({ status: 'failed', attempts: 2, nextAttemptAt: new Date(t0 + 500 + 1000).toISOString() })
      clock.advance(1000)
      await service.tick()
      expect((await deliveryOf(service, webhook.id, 'dlv_1')).nextAttemptAt).toBe(new Date(t0 + 1500 + 2000).toISOString())
      clock.advance(2000)
      await service.tick()
      const done = await deliveryOf(service, webhook.id, 'dlv_1')
      expect(done).toMatchObject({ status: 'delivered', attempts: 4, nextAttemptAt: null })
      expect(done.history.map((h) => [h.status, h.error])).toEqual([
        [503, 'HTTP 503'],
        [503, 'HTTP 503'],
        [503, 'HTTP 503'],
        [200, null],
      ])
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set(['dlv_1']))
    })

    it('caps the wait at maxDelayMs and gives up after maxAttempts', async () => {
      const { service, receiver, webhook, clock } = await setup(() => ({ status: 500 }), {
        retry: { maxAttempts: 4, initialDelayMs: 1000, maxDelayMs: 1500 },
      }, { random: () => 0.999 })
      await service.enqueue(sampleJob(webhook.id))
      const waits: number[] = []
      for (let i = 0; i < 4; i += 1) {
        await service.tick()
        const d = await deliveryOf(service, webhook.id, 'dlv_1')
        if (d.nextAttemptAt !== null) {
          const wait = Date.parse(d.nextAttemptAt) - clock.now()
          waits.push(wait)
          clock.advance(wait)
        }
      }
      expect(waits).toEqual([999, 1498, 1498])
      const dead = await deliveryOf(service, webhook.id, 'dlv_1')
      expect(dead.status).toBe('dead')
      expect(dead.history.at(-1)?.error).toBe('HTTP 500; gave up after 4 attempts')
      clock.advance(3_600_000)
      await service.tick()
      expect(receiver.requests).toHaveLength(4)
    })

    it('retries network errors and timeouts', async () => {
      const held = gate()
      const { service, webhook, clock } = await setup(() => ({ status: 200, hold: held.promise }), { timeoutMs: 150 })
      await service.enqueue(sampleJob(webhook.id))
      await service.tick()
      held.open()
      expect(await deliveryOf(service, webhook.id, 'dlv_1')).toMatchObject({ status: 'failed', history: [{ status: null, error: 'no answer within 150 ms' }] })
      // Nothing listens here: the connection is refused.
      const t = await testService(await backend())
      closers.push(() => t.service.close())
      const closed = await t.service.create({ name: 'Down', url: 'http://127.0.0.1:1/hooks' })
      if (!closed.ok) throw new Error(closed.message)
      await t.service.enqueue(sampleJob(closed.value.id))
      await t.service.tick()
      const d = await deliveryOf(t.service, closed.value.id, 'dlv_1')
      expect(d.status).toBe('failed')
      expect(d.history[0]?.error).toBe('could not reach 127.0.0.1:1')
      expect(clock.now()).toBeGreaterThan(0)
    })

    it('honours Retry-After in seconds and as an HTTP date on 429 and 503', async () => {
      let calls = 0
      const { service, webhook, clock } = await setup(() => {
        calls += 1
        if (calls === 1) return { status: 429, headers: { 'Retry-After': '120' } }
        if (calls === 2) return { status: 503, headers: { 'Retry-After': new Date(clock.now() + 30_000).toUTCString() } }
        return { status: 200 }
      })
      await service.enqueue(sampleJob(webhook.id))
      const t0 = clock.now()
      await service.tick()
      expect(await deliveryOf(service, webhook.id, 'dlv_1')).toMatchObject({
        status: 'failed',
        nextAttemptAt: new Date(t0 + 120_000).toISOString(),
        history: [{ status: 429, error: 'HTTP 429 (Retry-After 120 s)' }],
      })
      clock.advance(120_000)
      await service.tick()
      expect((await deliveryOf(service, webhook.id, 'dlv_1')).nextAttemptAt).toBe(new Date(t0 + 150_000).toISOString())
      clock.advance(30_000)
      await service.tick()
      expect((await deliveryOf(service, webhook.id, 'dlv_1')).status).toBe('delivered')
    })

    it('retries 408 but fails other 4xx at once', async () => {
      const { service, webhook } = await setup((req) => ({ status: req.headers['webhook-id'] === 'a' ? 408 : 422 }), {}, { batchSize: 1 })
      await service.enqueue(sampleJob(webhook.id, { id: 'a' }))
      await service.enqueue(sampleJob(webhook.id, { id: 'b' }))
      await service.tick()
      expect((await deliveryOf(service, webhook.id, 'a')).status).toBe('failed')
      expect(await deliveryOf(service, webhook.id, 'b')).toMatchObject({ status: 'dead', history: [{ status: 422, error: 'HTTP 422' }] })
    })

    it('disables the endpoint on 410, raises an alert, and holds its other deliveries', async () => {
      const alerts: WebhookAlertView[] = []
      const { service, receiver, webhook, clock } = await setup(() => ({ status: 410 }), {}, { batchSize: 1, concurrency: 1, alert: (a) => void alerts.push(a) })
      await service.enqueue(sampleJob(webhook.id, { id: 'a' }))
      await service.enqueue(sampleJob(webhook.id, { id: 'b', createdAt: Date.now() + 1 }))
      await service.tick()
      expect(await deliveryOf(service, webhook.id, 'a')).toMatchObject({ status: 'dead', history: [{ status: 410 }] })
      expect(await service.get(webhook.id)).toMatchObject({ ok: true, value: { state: 'disabled' } })
      clock.advance(3_600_000)
      await service.tick()
      expect(receiver.requests).toHaveLength(1)
      expect((await deliveryOf(service, webhook.id, 'b')).status).toBe('pending')
      await vi.waitFor(() => expect(alerts.map((a) => a.kind)).toEqual(['endpoint_gone']))
      expect(await service.alerts(webhook.id)).toMatchObject([{ kind: 'endpoint_gone', webhookName: 'CRM' }])
      // A passing test re-arms it, and the held delivery goes out.
      receiver.reply = () => ({ status: 200 })
      await service.test(webhook.id)
      expect(await service.get(webhook.id)).toMatchObject({ ok: true, value: { state: 'active', testStatus: 'passing' } })
      await service.tick()
      expect((await deliveryOf(service, webhook.id, 'b')).status).toBe('delivered')
    })

    it('never follows a redirect: a 3xx is a failure and the target sees nothing', async () => {
      const canary = await startReceiver('127.0.0.2')
      receivers.push(canary)
      const { service, webhook } = await setup(() => ({ status: 302, headers: { Location: `${canary.url}/steal` } }), {}, { allowPrivate: ['127.0.0.1/32'] })
      await service.enqueue(sampleJob(webhook.id))
      await service.tick()
      expect(await deliveryOf(service, webhook.id, 'dlv_1')).toMatchObject({
        status: 'dead',
        history: [{ status: 302, error: `HTTP 302: redirect to ${canary.url}/steal not followed` }],
      })
      expect(canary.connections).toBe(0)
      expect(canary.requests).toHaveLength(0)
    })

    it('replays a dead delivery with the same id and a fresh retry budget', async () => {
      let status = 400
      const { service, receiver, webhook } = await setup(() => ({ status }))
      await service.enqueue(sampleJob(webhook.id))
      await service.tick()
      expect((await deliveryOf(service, webhook.id, 'dlv_1')).status).toBe('dead')
      expect(await service.replay('nope')).toMatchObject({ ok: false, code: 'delivery.not_found' })
      status = 200
      const replayed = await service.replay('dlv_1')
      expect(replayed).toMatchObject({ ok: true, value: { id: 'dlv_1', status: 'pending' } })
      expect(await service.replay('dlv_1')).toMatchObject({ ok: false, code: 'delivery.not_dead' })
      await service.tick()
      expect(await deliveryOf(service, webhook.id, 'dlv_1')).toMatchObject({ status: 'delivered', attempts: 2 })
      expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(['dlv_1', 'dlv_1'])
    })

    it('tells onAttempt about every attempt, after it is committed', async () => {
      const seen: string[] = []
      let calls = 0
      const { service, webhook, clock } = await setup(() => ({ status: ++calls === 1 ? 500 : 204 }), {}, {
        onAttempt: (delivery, attempt) => seen.push(`${delivery.id}:${delivery.job?.context.runId}:${attempt.attempt}:${attempt.status}:${delivery.status}`),
      })
      await service.enqueue(sampleJob(webhook.id))
      await service.tick()
      clock.advance(10_000)
      await service.tick()
      expect(seen).toEqual(['dlv_1:run_1:1:500:failed', 'dlv_1:run_1:2:204:delivered'])
    })
  })

  describe('circuit breaker', () => {
    it('pauses an endpoint after consecutive failures, alerts once, then probes after the cool-off', async () => {
      const alerts: WebhookAlertView[] = []
      let status = 500
      const { service, receiver, webhook, clock } = await setup(() => ({ status }), { retry: { maxAttempts: 20, initialDelayMs: 100, maxDelayMs: 1000 } }, {
        breaker: { threshold: 3, coolOffMs: 60_000 },
        concurrency: 1,
        batchSize: 1,
        alert: (a) => void alerts.push(a),
      })
      for (const id of ['a', 'b', 'c', 'd']) await service.enqueue(sampleJob(webhook.id, { id, body: { kind: 'template', template: `{"id":"${id}"}` } }))
      for (let i = 0; i < 3; i += 1) {
        await service.tick()
        clock.advance(1000)
      }
      expect(receiver.requests).toHaveLength(3)
      expect(await service.get(webhook.id)).toMatchObject({ ok: true, value: { state: 'paused' } })
      await vi.waitFor(() => expect(alerts).toHaveLength(1))
      expect(alerts[0]).toMatchObject({ kind: 'circuit_open', webhookId: webhook.id })
      expect(alerts[0]?.message).toContain('failed 3 times in a row')
      // Paused: due deliveries wait without spending attempts.
      await service.tick()
      clock.advance(30_000)
      await service.tick()
      expect(receiver.requests).toHaveLength(3)
      // After the cool-off one probe goes; it fails, so the breaker opens again without a new alert.
      clock.advance(31_000)
      await service.tick()
      expect(receiver.requests).toHaveLength(4)
      expect(await service.get(webhook.id)).toMatchObject({ ok: true, value: { state: 'paused' } })
      expect(await service.alerts(webhook.id)).toHaveLength(1)
      // The next probe succeeds and the endpoint is active again; the rest flow.
      status = 200
      clock.advance(60_000)
      await service.tick()
      expect(await service.get(webhook.id)).toMatchObject({ ok: true, value: { state: 'active' } })
      for (let i = 0; i < 4; i += 1) await service.tick()
      const list = await service.deliveries(webhook.id)
      expect(list.ok && list.value.map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered'])
    })
  })

  describe('per-endpoint concurrency', () => {
    it('caps requests in flight per endpoint, so a slow endpoint does not hold up another', async () => {
      const slow = gate()
      const slowReceiver = await startReceiver('127.0.0.1', () => ({ status: 200, hold: slow.promise }))
      const fastReceiver = await startReceiver('127.0.0.1')
      receivers.push(slowReceiver, fastReceiver)
      const t = await testService({ ...(await backend()), concurrency: 2, batchSize: 1 })
      closers.push(() => t.service.close())
      const a = await t.service.create({ name: 'Slow', url: slowReceiver.url, timeoutMs: 10_000 })
      const b = await t.service.create({ name: 'Fast', url: fastReceiver.url })
      if (!a.ok || !b.ok) throw new Error('create failed')
      for (let i = 0; i < 5; i += 1) await t.service.enqueue(sampleJob(a.value.id, { id: `slow_${i}` }))
      const first = t.service.tick()
      await vi.waitFor(() => expect(slowReceiver.requests).toHaveLength(2))
      await t.service.enqueue(sampleJob(b.value.id, { id: 'fast_1' }))
      await t.service.tick()
      expect(fastReceiver.requests).toHaveLength(1)
      expect(slowReceiver.requests).toHaveLength(2)
      expect(t.service.inflight(a.value.id)).toBe(2)
      slow.open()
      await first
      for (let i = 0; i < 3; i += 1) await t.service.tick()
      expect(slowReceiver.requests).toHaveLength(5)
      expect(slowReceiver.maxActive).toBe(2)
    })
  })
})
