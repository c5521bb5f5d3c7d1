import { Webhook } from 'standardwebhooks'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSigningSecret } from './sign'
import { type Receiver, eachBackend, gate, sampleContext, sampleJob, startReceiver, testService } from './testing'

let receivers: Receiver[] = []
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()))
  await Promise.all(receivers.map((r) => r.close()))
  receivers = []
})

eachBackend('webhook-delivery', (backend) => {
  async function setup(input: Record<string, unknown> = {}, options: Parameters<typeof testService>[0] = {}, path = '/hooks') {
    const receiver = await startReceiver()
    receivers.push(receiver)
    const t = await testService({ ...(await backend()), ...options })
    closers.push(() => t.service.close())
    const created = await t.service.create({ name: 'CRM', url: `${receiver.url}${path}`, ...input })
    if (!created.ok) throw new Error(created.message)
    return { ...t, receiver, webhook: created.value }
  }

  const EXPECTED_ITEM = {
    channel: 'email',
    event: 'open',
    msgid: 'msg_546',
    webhook_name: 'CRM',
    journey_name: 'Cart recovery',
    custom_params: { Action: 'Email Open' },
    att_params: { EMAIL: 'jane@example.com', FIRSTNAME: 'Jane' },
    event_params: {
      ip_addr: '106.51.148.72',
      subject: 'Your cart',
      timestamp: '2022-12-02T15:48:05',
      ts: 221202154805,
      foreignkey: 'jane@example.com',
    },
  }

  describe('journey webhook delivery', () => {
    it('posts the Netcore activity item as JSON under the workspace key', async () => {
      const { service, receiver, webhook } = await setup()
      expect(await service.enqueue(sampleJob(webhook.id))).toEqual({ ok: true, value: { deliveryId: 'dlv_1', duplicate: false } })
      await service.tick()
      expect(receiver.requests).toHaveLength(1)
      const req = receiver.requests[0]
      expect(req?.method).toBe('POST')
      expect(req?.url).toBe('/hooks')
      expect(req?.headers['content-type']).toBe('application/json')
      expect(req?.headers['webhook-id']).toBe('dlv_1')
      expect(JSON.parse(req?.body ?? '')).toEqual({ acme_prod: [EXPECTED_ITEM] })
      expect(await service.deliveries(webhook.id)).toMatchObject({ ok: true, value: [{ id: 'dlv_1', status: 'delivered', attempts: 1 }] })
    })

    it('sends form encoding as one data key holding the percent-encoded JSON', async () => {
      const { service, receiver, webhook } = await setup({ encoding: 'form' })
      await service.enqueue(sampleJob(webhook.id))
      await service.tick()
      const req = receiver.requests[0]
      expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded')
      const body = req?.body ?? ''
      expect(body.startsWith('data=%7B%22acme_prod%22%3A%5B%7B%22channel%22%3A%22email%22')).toBe(true)
      expect(body).not.toContain('+')
      expect(body).toContain('%20')
      const data = new URLSearchParams(body).get('data')
      expect(JSON.parse(data ?? '')).toEqual({ acme_prod: [EXPECTED_ITEM] })
    })

    it('maps channels and statuses to the names Netcore receivers know', async () => {
      const { service, receiver, webhook } = await setup()
      await service.enqueue(sampleJob(webhook.id, { id: 'a', context: sampleContext({ message: { id: 'm1', channel: 'app_push', status: 'delivered' } }) }))
      await service.tick()
      await service.enqueue(sampleJob(webhook.id, { id: 'b', context: sampleContext({ message: { id: 'm2', channel: 'rcs', status: 'clicked' } }) }))
      await service.tick()
      await service.enqueue(sampleJob(webhook.id, { id: 'c', context: sampleContext({ message: null }) }))
      await service.tick()
      const items = receiver.requests.map((r) => JSON.parse(r.body).acme_prod[0])
      expect(items.map((i: { channel: string; event: string }) => [i.channel, i.event])).toEqual([
        ['apn', 'delivered'],
        ['rcs', 'click'],
        ['custom_activity', 'email.opened'],
      ])
    })

    it('posts the CleverTap profiles shape', async () => {
      const { service, receiver, webhook } = await setup()
      await service.enqueue(sampleJob(webhook.id, { body: { kind: 'profiles' }, params: ['user.traits.CITY'] }))
      await service.tick()
      expect(JSON.parse(receiver.requests[0]?.body ?? '')).toEqual({
        targetId: 'j_1',
        key_values: { Action: 'Email Open' },
        profiles: [
          {
            Identity: 'jane@example.com',
            Email: 'jane@example.com',
            ProfileData: { CITY: 'Pune' },
            Event_properties: { ip_addr: '106.51.148.72', subject: 'Your cart' },
          },
        ],
      })
    })

    it('renders a Liquid template body with the user, event, journey, message and custom params', async () => {
      const { service, receiver, webhook } = await setup()
      const template =
        '{"email":"{{ user.traits.EMAIL }}","event":"{{ event.name }}","journey":"{{ journey.name }}","msg":"{{ message.id }}","action":"{{ custom_params.Action }}"}'
      await service.enqueue(sampleJob(webhook.id, { body: { kind: 'template', template } }))
      await service.tick()
      expect(JSON.parse(receiver.requests[0]?.body ?? '')).toEqual({
        email: 'jane@example.com',
        event: 'email.opened',
        journey: 'Cart recovery',
        msg: 'msg_546',
        action: 'Email Open',
      })
    })

    it('sends basic auth, configured headers and query parameters', async () => {
      const { service, receiver, webhook } = await setup(
        {
          auth: { type: 'basic', username: 'switchyard', password: 'p@ss:word' },
          headers: { 'X-Tenant': 'acme' },
          query: { token: 'abc def', source: 'switchyard' },
        },
        {},
        '/hooks?existing=1',
      )
      await service.enqueue(sampleJob(webhook.id))
      await service.tick()
      const req = receiver.requests[0]
      expect(req?.headers.authorization).toBe(`Basic ${Buffer.from('switchyard:p@ss:word').toString('base64')}`)
      expect(req?.headers['x-tenant']).toBe('acme')
      const url = new URL(req?.url ?? '', 'http://x')
      expect(url.pathname).toBe('/hooks')
      expect(url.searchParams.get('existing')).toBe('1')
      expect(url.searchParams.get('token')).toBe('abc def')
      expect(url.searchParams.get('source')).toBe('switchyard')
    })

    it('signs in the Standard Webhooks form, verified by the standardwebhooks package', async () => {
      const secret = createSigningSecret()
      const { service, receiver, webhook } = await setup({ signingSecret: secret })
      await service.enqueue(sampleJob(webhook.id))
      await service.tick()
      const req = receiver.requests[0]
      const headers = {
        'webhook-id': String(req?.headers['webhook-id']),
        'webhook-timestamp': String(req?.headers['webhook-timestamp']),
        'webhook-signature': String(req?.headers['webhook-signature']),
      }
      expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
      expect(new Webhook(secret).verify(req?.body ?? '', headers)).toEqual({ acme_prod: [EXPECTED_ITEM] })
      expect(() => new Webhook(createSigningSecret()).verify(req?.body ?? '', headers)).toThrow()
      expect(() => new Webhook(secret).verify(`${req?.body} `, headers)).toThrow()
    })

    it('signs the encoded form body, which is what the receiver verifies', async () => {
      const secret = createSigningSecret()
      const { service, receiver, webhook } = await setup({ signingSecret: secret, encoding: 'form' })
      await service.enqueue(sampleJob(webhook.id))
      await service.tick()
      const req = receiver.requests[0]
      const headers = {
        'webhook-id': String(req?.headers['webhook-id']),
        'webhook-timestamp': String(req?.headers['webhook-timestamp']),
        'webhook-signature': String(req?.headers['webhook-signature']),
      }
      expect(() => new Webhook(secret).verify(req?.body ?? '', headers, { jsonParse: false })).not.toThrow()
      expect(() => new Webhook(secret).verify('data=%7B%7D', headers, { jsonParse: false })).toThrow()
    })

    it('is idempotent by job id', async () => {
      const { service, receiver, webhook } = await setup()
      await service.enqueue(sampleJob(webhook.id))
      expect(await service.enqueue(sampleJob(webhook.id))).toEqual({ ok: true, value: { deliveryId: 'dlv_1', duplicate: true } })
      await service.tick()
      await service.tick()
      expect(receiver.requests).toHaveLength(1)
    })

    it('refuses a job for an unknown webhook as a value', async () => {
      const { service } = await setup()
      const result = await service.enqueue(sampleJob('wh_missing'))
      expect(result).toMatchObject({ ok: false, code: 'webhook.not_found' })
    })

    it('batches activity items due together into one request with a batch webhook-id', async () => {
      const { service, receiver, webhook } = await setup({}, { batchSize: 3 })
      for (const id of ['d1', 'd2', 'd3', 'd4']) await service.enqueue(sampleJob(webhook.id, { id }))
      await service.tick()
      expect(receiver.requests).toHaveLength(2)
      const sizes = receiver.requests.map((r) => JSON.parse(r.body).acme_prod.length).sort()
      expect(sizes).toEqual([1, 3])
      const batchRequest = receiver.requests.find((r) => JSON.parse(r.body).acme_prod.length === 3)
      expect(String(batchRequest?.headers['webhook-id'])).toMatch(/^batch_/)
      const single = receiver.requests.find((r) => JSON.parse(r.body).acme_prod.length === 1)
      expect(single?.headers['webhook-id']).toBe('d4')
      const list = await service.deliveries(webhook.id)
      if (!list.ok) throw new Error(list.message)
      expect(list.value.every((d) => d.status === 'delivered')).toBe(true)
      expect(list.value.filter((d) => d.batchId === batchRequest?.headers['webhook-id'])).toHaveLength(3)
    })

    it('tells the requests delivered in a turn as one info line a webhook, each request at debug', async () => {
      const { service, receiver, webhook, logs } = await setup({}, { batchSize: 3 })
      for (const id of ['d1', 'd2', 'd3', 'd4']) await service.enqueue(sampleJob(webhook.id, { id }))
      await service.tick()
      // The summary goes out once the turn's settlements are all written.
      await new Promise((resolve) => setImmediate(resolve))
      expect(receiver.requests).toHaveLength(2)
      const told = logs.filter((l) => l.msg === 'webhook requests delivered')
      expect(told.every((l) => l.level === 'info' && l.webhookId === webhook.id && typeof l.maxDurationMs === 'number')).toBe(true)
      expect(told.reduce((n, l) => n + Number(l.requests), 0)).toBe(2)
      expect(told.reduce((n, l) => n + Number(l.deliveries), 0)).toBe(4)
      expect(logs.filter((l) => l.msg === 'webhook request delivered').map((l) => l.level)).toEqual(['debug', 'debug'])
    })

    it('previews the body without sending', async () => {
      const { service, receiver, webhook } = await setup({ encoding: 'json', query: { a: '1' } })
      const preview = await service.preview(webhook.id, { params: ['user.traits.EMAIL'], customParams: { k: 'v' }, context: sampleContext() })
      if (!preview.ok) throw new Error(preview.message)
      expect(preview.value.contentType).toBe('application/json')
      // Query values are secrets: the preview shows their names only.
      expect(preview.value.url).toBe(`${receiver.url}/hooks?a=********`)
      expect(JSON.parse(preview.value.body).acme_prod[0].att_params).toEqual({ EMAIL: 'jane@example.com' })
      const bad = await service.preview(webhook.id, { body: { kind: 'template', template: '{% for %}' }, context: sampleContext() })
      expect(bad).toMatchObject({ ok: false, code: 'webhook.template_error' })
      expect(receiver.requests).toHaveLength(0)
    })

    it('test() posts a sample and records passing or failing', async () => {
      const { service, receiver, webhook } = await setup()
      expect(webhook.testStatus).toBe('untested')
      const passed = await service.test(webhook.id)
      expect(passed).toMatchObject({ ok: true, value: { ok: true, status: 200 } })
      expect(JSON.parse(receiver.requests[0]?.body ?? '').acme_prod[0].webhook_name).toBe('CRM')
      expect(await service.get(webhook.id)).toMatchObject({ ok: true, value: { testStatus: 'passing' } })
      receiver.reply = () => ({ status: 500 })
      const failed = await service.test(webhook.id)
      expect(failed).toMatchObject({ ok: true, value: { ok: false, status: 500 } })
      const view = await service.get(webhook.id)
      expect(view).toMatchObject({ ok: true, value: { testStatus: 'failing' } })
      expect(view.ok && view.value.lastTestedAt).toBeTruthy()
    })

    it('start() delivers without manual ticks, and stop() waits for the request in flight', async () => {
      const held = gate()
      const { service, receiver, webhook } = await setup({}, { pollIntervalMs: 20 })
      receiver.reply = () => ({ status: 200, hold: held.promise })
      service.start()
      await service.enqueue(sampleJob(webhook.id))
      await vi.waitFor(() => expect(receiver.requests).toHaveLength(1))
      let stopped = false
      const stopping = service.stop().then(() => {
        stopped = true
      })
      await new Promise((resolve) => setImmediate(resolve))
      expect(stopped).toBe(false)
      held.open()
      await stopping
      expect(await service.deliveries(webhook.id)).toMatchObject({ ok: true, value: [{ status: 'delivered' }] })
    })
  })
})
