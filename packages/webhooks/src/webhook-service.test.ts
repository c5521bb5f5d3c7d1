import { readFileSync, existsSync } from 'node:fs'
import { createSecretBox } from '@switchyard/secrets'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { migrate } from './migrations'
import { MASKED_VALUE } from './config-secrets'
import { createSigningSecret } from './sign'
import { TEST_SECRET_KEY, type Receiver, fakeClock, sampleJob, startReceiver, tempDbPath, testService } from './testing'
import { createWebhookService } from './webhook-service'
import { runJoined } from '@switchyard/storage/testing'

let receivers: Receiver[] = []
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()))
  await Promise.all(receivers.map((r) => r.close()))
  receivers = []
})

async function service(options: Parameters<typeof testService>[0] = {}) {
  const t = await testService(options)
  closers.push(() => t.service.close())
  return t
}

describe('webhook CRUD', () => {
  it('creates with defaults and answers a view without secrets', async () => {
    const { service: s } = await service()
    const created = await s.create({
      name: 'CRM',
      url: 'https://crm.example.com/hooks',
      auth: { type: 'basic', username: 'sy', password: 'hunter2' },
      signingSecret: createSigningSecret(),
    })
    expect(created).toMatchObject({
      ok: true,
      value: {
        name: 'CRM',
        url: 'https://crm.example.com/hooks',
        encoding: 'json',
        auth: { type: 'basic', username: 'sy', hasPassword: true },
        headers: {},
        query: {},
        timeoutMs: 3000,
        retry: { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 300_000 },
        hasSigningSecret: true,
        events: [],
        enabled: true,
        testStatus: 'untested',
        lastTestedAt: null,
        state: 'active',
        pausedUntil: null,
      },
    })
    expect(JSON.stringify(created)).not.toContain('hunter2')
    expect(JSON.stringify(created)).not.toContain('whsec_')
    expect(await s.list()).toHaveLength(1)
  })

  it('answers validation errors as values with a code and the field', async () => {
    const { service: s } = await service()
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', url: 'ftp://example.com' }, 'url'],
      [{ name: 'x', url: 'https://u:p@example.com' }, 'url'],
      [{ name: 'x', url: 'https://example.com', headers: { Host: 'evil' } }, 'headers.Host'],
      [{ name: 'x', url: 'https://example.com', headers: { 'Content-Length': '1' } }, 'headers.Content-Length'],
      [{ name: 'x', url: 'https://example.com', headers: { 'Transfer-Encoding': 'chunked' } }, 'headers.Transfer-Encoding'],
      [{ name: 'x', url: 'https://example.com', headers: { 'Webhook-Signature': 'v1,x' } }, 'headers.Webhook-Signature'],
      [{ name: 'x', url: 'https://example.com', headers: { 'X-A': 'a\r\nInjected: 1' } }, 'headers.X-A'],
      [{ name: 'x', url: 'https://example.com', timeoutMs: 50 }, 'timeoutMs'],
      [{ name: 'x', url: 'https://example.com', retry: { maxAttempts: 21 } }, 'retry.maxAttempts'],
      [{ name: 'x', url: 'https://example.com', signingSecret: 'secret' }, 'signingSecret'],
      [{ name: 'x', url: 'https://example.com', auth: { type: 'basic', username: 'a' } }, 'auth.password'],
      [{ name: 'x', url: 'https://example.com', events: ['journey.exploded'] }, 'events.0'],
      [{ name: '', url: 'https://example.com' }, 'name'],
    ]
    for (const [input, path] of cases) {
      const result = await s.create(input)
      expect(result.ok, path).toBe(false)
      if (!result.ok) {
        expect(result.code).toBe('webhook.invalid')
        expect(result.details, path).toEqual(expect.arrayContaining([expect.objectContaining({ path })]))
      }
    }
    expect(await s.list()).toHaveLength(0)
  })

  it('keeps the stored password and secret on update unless replaced or removed', async () => {
    const { service: s } = await service()
    const created = await s.create({ name: 'CRM', url: 'https://a.example.com', auth: { type: 'basic', username: 'sy', password: 'one' }, signingSecret: createSigningSecret() })
    if (!created.ok) throw new Error(created.message)
    const id = created.value.id
    expect(await s.update(id, { name: 'CRM 2', url: 'https://b.example.com', auth: { type: 'basic', username: 'sy2' } })).toMatchObject({
      ok: true,
      value: { name: 'CRM 2', url: 'https://b.example.com', auth: { username: 'sy2', hasPassword: true }, hasSigningSecret: true },
    })
    expect(await s.update(id, { name: 'CRM 3', url: 'https://b.example.com', signingSecret: null })).toMatchObject({ ok: true, value: { hasSigningSecret: false } })
    const noAuth = await s.get(id)
    expect(noAuth.ok && noAuth.value.auth).toBeUndefined()
    expect(await s.update('wh_missing', { name: 'x', url: 'https://b.example.com' })).toMatchObject({ ok: false, code: 'webhook.not_found' })
    expect(await s.remove(id)).toEqual({ ok: true, value: { id } })
    expect(await s.get(id)).toMatchObject({ ok: false, code: 'webhook.not_found' })
    expect(await s.remove(id)).toMatchObject({ ok: false, code: 'webhook.not_found' })
  })
})

describe('storage', () => {
  it('records its migrations under the webhooks component and runs each once', () => {
    const db = new Database(tempDbPath())
    expect(migrate(db)).toEqual([1, 2])
    expect(migrate(db)).toEqual([])
    expect(db.prepare("SELECT component, version FROM migrations WHERE component = 'webhooks' ORDER BY version").all()).toEqual([
      { component: 'webhooks', version: 1 },
      { component: 'webhooks', version: 2 },
    ])
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()
    expect(tables).toEqual(
      expect.arrayContaining([{ name: 'webhooks' }, { name: 'webhook_deliveries' }, { name: 'webhook_attempts' }, { name: 'webhook_alerts' }]),
    )
  })

  it('reads a delivery job stored before versioned records as v1, and refuses a newer version by name', async () => {
    const { service: s, db } = await service()
    const created = await s.create({ name: 'CRM', url: 'https://crm.example.com/hooks' })
    if (!created.ok) throw new Error(created.message)
    const queued = await s.enqueue(sampleJob(created.value.id))
    if (!queued.ok) throw new Error(queued.message)
    const id = queued.value.deliveryId
    const before = await s.delivery(id)
    expect(before.ok).toBe(true)
    const job = db.prepare<[], string>('SELECT job FROM webhook_deliveries').pluck()
    expect(JSON.parse(job.get() ?? '')).toMatchObject({ $v: 1 })

    db.exec(`UPDATE webhook_deliveries SET job = json_extract(job, '$.value')`)
    expect(JSON.parse(job.get() ?? '')).not.toHaveProperty('$v')
    expect(await s.delivery(id)).toEqual(before)

    db.exec(`UPDATE webhook_deliveries SET job = '{"$v":2,"value":{}}'`)
    await expect(s.delivery(id)).rejects.toThrow('cannot read stored webhook delivery job v2: newer than this build reads (v1)')
  })
})

describe('secret hygiene', () => {
  it('never shows the canary password in views, attempt rows, logs or the SQLite files', async () => {
    const canary = 'canary-Pa55word-7f3e9c'
    const secret = createSigningSecret()
    const receiver = await startReceiver('127.0.0.1', (req) => ({ status: req.headers['webhook-id'] === 'ok' ? 200 : 500 }))
    receivers.push(receiver)
    const { service: s, dbPath, logs, db } = await service()
    const created = await s.create({ name: 'CRM', url: receiver.url, auth: { type: 'basic', username: 'sy', password: canary }, signingSecret: secret })
    if (!created.ok) throw new Error(created.message)
    const id = created.value.id
    await s.enqueue(sampleJob(id, { id: 'ok' }))
    await s.enqueue(sampleJob(id, { id: 'bad', body: { kind: 'template', template: '{"x":1}' } }))
    await s.tick()
    await s.test(id)
    const refused = await s.create({ name: 'Private', url: 'http://10.0.0.1/', auth: { type: 'basic', username: 'sy', password: canary } })
    if (!refused.ok) throw new Error(refused.message)
    await s.enqueue(sampleJob(refused.value.id, { id: 'refused' }))
    await s.tick()
    const updated = await s.update(id, { name: 'CRM', url: receiver.url, auth: { type: 'basic', username: 'sy' } })
    // The receiver did get it: that is the point of basic auth.
    expect(receiver.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`sy:${canary}`).toString('base64')}`)

    const answers = JSON.stringify([created, updated, await s.get(id), await s.list(), await s.deliveries(id), await s.deliveries(refused.value.id), await s.alerts()])
    expect(answers).not.toContain(canary)
    expect(answers).not.toContain(secret)
    expect(JSON.stringify(logs)).not.toContain(canary)
    expect(JSON.stringify(db.prepare('SELECT * FROM webhook_attempts').all())).not.toContain(canary)
    const secretBase64 = secret.slice('whsec_'.length)
    db.pragma('wal_checkpoint(TRUNCATE)')
    for (const file of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) {
      if (!existsSync(file)) continue
      const bytes = readFileSync(file)
      expect(bytes.includes(Buffer.from(canary)), file).toBe(false)
      expect(bytes.includes(Buffer.from(Buffer.from(`sy:${canary}`).toString('base64'))), file).toBe(false)
      expect(bytes.includes(Buffer.from(secretBase64)), file).toBe(false)
    }
    // It is still there, sealed, for the next send.
    expect(await s.deliveries(id)).toMatchObject({ ok: true })
  })

  it('a delivery whose secrets cannot be opened fails as a value, with no secret in the error', async () => {
    const receiver = await startReceiver()
    receivers.push(receiver)
    const dbPath = tempDbPath()
    const first = await testService({ dbPath })
    const created = await first.service.create({ name: 'CRM', url: receiver.url, auth: { type: 'basic', username: 'sy', password: 'pw-canary' } })
    if (!created.ok) throw new Error(created.message)
    await first.service.enqueue(sampleJob(created.value.id))
    first.db.close()
    const db = new Database(dbPath)
    const other = await createWebhookService({ backend: { kind: 'sqlite', db }, secretBox: createSecretBox(`${TEST_SECRET_KEY}-rotated`), clock: fakeClock(), workspace: 'acme_prod', allowPrivate: ['127.0.0.0/8'] })
    closers.push(() => other.close())
    await other.tick()
    expect(receiver.requests).toHaveLength(0)
    expect(await other.deliveries(created.value.id)).toMatchObject({
      ok: true,
      value: [{ status: 'dead', history: [{ error: 'the stored password, signing secret, header or query values cannot be opened (was SECRET_KEY changed?)' }] }],
    })
  })
})

describe('header and query values', () => {
  const HEADER = 'hdr-canary-5b1e0f'
  const QUERY = 'qry-canary-9d77c2'

  it('are sealed at rest, masked in answers, kept when the mask comes back, and sent in the clear', async () => {
    const receiver = await startReceiver()
    receivers.push(receiver)
    const { service: s, dbPath, db } = await service()
    const created = await s.create({ name: 'CRM', url: receiver.url, headers: { 'X-Api-Key': HEADER }, query: { token: QUERY } })
    if (!created.ok) throw new Error(created.message)
    const id = created.value.id
    expect(created.value).toMatchObject({ headers: { 'X-Api-Key': MASKED_VALUE }, query: { token: MASKED_VALUE } })
    // The web form sends back what it was shown: the masks keep the stored values.
    const updated = await s.update(id, { name: 'CRM', url: receiver.url, headers: { 'x-api-key': MASKED_VALUE, 'X-Tenant': 'acme' }, query: { token: MASKED_VALUE } })
    expect(updated).toMatchObject({ ok: true, value: { headers: { 'x-api-key': MASKED_VALUE, 'X-Tenant': MASKED_VALUE }, query: { token: MASKED_VALUE } } })
    expect(await s.update(id, { name: 'CRM', url: receiver.url, query: { other: MASKED_VALUE } })).toMatchObject({
      ok: false,
      code: 'webhook.invalid',
      details: [{ path: 'query.other' }],
    })
    await s.enqueue(sampleJob(id, { id: 'sealed' }))
    await s.tick()
    expect(receiver.requests[0]?.headers['x-api-key']).toBe(HEADER)
    expect(receiver.requests[0]?.url).toBe(`/?token=${QUERY}`)
    const preview = await s.preview(id, {})
    const answers = JSON.stringify([created, updated, await s.get(id), await s.list(), preview, await s.deliveries(id)])
    expect(answers).not.toContain(HEADER)
    expect(answers).not.toContain(QUERY)
    db.pragma('wal_checkpoint(TRUNCATE)')
    for (const file of [dbPath, `${dbPath}-wal`]) {
      if (!existsSync(file)) continue
      const bytes = readFileSync(file)
      expect(bytes.includes(Buffer.from(HEADER)), file).toBe(false)
      expect(bytes.includes(Buffer.from(QUERY)), file).toBe(false)
    }
  })

  it('written in the clear by an older version are sealed when the service starts', async () => {
    const receiver = await startReceiver()
    receivers.push(receiver)
    const dbPath = tempDbPath()
    const db = new Database(dbPath)
    migrate(db)
    const v1 = { v: 1, url: receiver.url, encoding: 'json', auth: null, headers: { 'X-Api-Key': HEADER }, query: { token: QUERY }, timeoutMs: 3000, retry: { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 300_000 }, signingSecretSealed: null, events: [] }
    db.prepare(`INSERT INTO webhooks (id, name, config, enabled, created_at, updated_at) VALUES ('wh_old', 'Old', ?, 1, 0, 0)`).run(JSON.stringify(v1))
    const { service: s } = await service({ dbPath, backend: { kind: 'sqlite', db } })
    expect(await s.get('wh_old')).toMatchObject({ ok: true, value: { headers: { 'X-Api-Key': MASKED_VALUE }, query: { token: MASKED_VALUE } } })
    expect(String(db.prepare(`SELECT config FROM webhooks WHERE id = 'wh_old'`).pluck().get())).not.toContain(HEADER)
    await s.enqueue(sampleJob('wh_old', { id: 'upgraded' }))
    await s.tick()
    expect(receiver.requests[0]?.headers['x-api-key']).toBe(HEADER)
    expect(receiver.requests[0]?.url).toBe(`/?token=${QUERY}`)
  })
})

describe('test status', () => {
  it('goes back to untested when a change affects delivery, and stays when it does not', async () => {
    const receiver = await startReceiver()
    receivers.push(receiver)
    const { service: s } = await service()
    const base = { name: 'CRM', url: receiver.url, auth: { type: 'basic', username: 'sy', password: 'one' }, headers: { 'X-A': '1' }, query: { q: '1' } }
    const created = await s.create(base)
    if (!created.ok) throw new Error(created.message)
    const id = created.value.id
    const status = async () => {
      const got = await s.get(id)
      return got.ok ? [got.value.testStatus, got.value.lastTestedAt === null] : null
    }
    const changes: [string, Record<string, unknown>, 'passing' | 'untested'][] = [
      ['name and retry only', { ...base, name: 'CRM 2', retry: { maxAttempts: 2 } }, 'passing'],
      ['masked values sent back', { ...base, auth: { type: 'basic', username: 'sy' }, headers: { 'X-A': MASKED_VALUE }, query: { q: MASKED_VALUE } }, 'passing'],
      ['url', { ...base, url: `${receiver.url}/other` }, 'untested'],
      ['password', { ...base, auth: { type: 'basic', username: 'sy', password: 'two' } }, 'untested'],
      ['header value', { ...base, headers: { 'X-A': '2' } }, 'untested'],
      ['query value', { ...base, query: { q: '2' } }, 'untested'],
      ['encoding', { ...base, encoding: 'form' }, 'untested'],
      ['signing secret', { ...base, signingSecret: createSigningSecret() }, 'untested'],
    ]
    for (const [what, input, expected] of changes) {
      await s.update(id, base)
      expect(await s.test(id)).toMatchObject({ ok: true, value: { ok: true } })
      expect(await status(), what).toEqual(['passing', false])
      expect(await s.update(id, input), what).toMatchObject({ ok: true })
      expect(await status(), what).toEqual(expected === 'passing' ? ['passing', false] : ['untested', true])
    }
  })
})

describe('account-level webhooks', () => {
  it('queues a batch of events in one call: each event’s deliveries in order, and a repeated message id once', async () => {
    const { service: s } = await service()
    const orders = await s.create({ name: 'Orders', url: 'https://orders.example.com/hook', events: ['track:Order Placed'] })
    const all = await s.create({ name: 'All', url: 'https://all.example.com/hook', events: ['track:*'] })
    if (!orders.ok || !all.ok) throw new Error('create failed')
    const track = (messageId: string, event: string) => ({ messageId, userId: 'jane@example.com', event, properties: {}, timestamp: 0 })
    const ids = await s.emitAccountEvents([
      ['track:Order Placed', track('m-1', 'Order Placed')],
      ['track:Page Viewed', track('m-2', 'Page Viewed')],
      ['track:Order Placed', track('m-1', 'Order Placed')],
    ])
    expect(ids.map((list) => list.length)).toEqual([2, 1, 2])
    expect(ids[2]).toEqual(ids[0])
    const queued = async (webhookId: string) => {
      const list = await s.deliveries(webhookId)
      return list.ok ? list.value.length : -1
    }
    expect([await queued(orders.value.id), await queued(all.value.id)]).toEqual([1, 2])
    expect(await s.emitAccountEvents([])).toEqual([])
  })

  it("queues a relay batch's journey jobs and message events inside the caller's transaction, none of them before it commits", async () => {
    const { service: s, db } = await service()
    const hook = await s.create({ name: 'CRM', url: 'https://crm.example.com/hook', events: ['message.sent'] })
    if (!hook.ok) throw new Error('create failed')
    const id = hook.value.id
    const { queued, write } = await s.enqueuing([sampleJob(id, { id: 'dlv_a' }), sampleJob('wh_gone', { id: 'dlv_b' })])
    expect(queued).toEqual(['queued', 'missing'])
    const sent = { messageId: 'msg_1', channel: 'email' as const, userId: 'jane@example.com', journey: { id: 'j_1', name: 'Cart', version: 1 }, nodeId: 'm1', runId: 'run_1', content: {} }
    const events = await s.emittingAccountEvents([['message.sent', sent]])
    if (events === null) throw new Error('a subscribed webhook should receive message.sent')
    const ids = async () => {
      const list = await s.deliveries(id)
      return list.ok ? list.value.map((d) => d.id).sort() : []
    }
    expect(await ids()).toEqual([])
    await runJoined({ kind: 'sqlite', db }, write, { rollback: true })
    expect(await ids()).toEqual([])
    await runJoined({ kind: 'sqlite', db }, write)
    await runJoined({ kind: 'sqlite', db }, events)
    expect(await ids()).toHaveLength(2)
    expect(await ids()).toContain('dlv_a')
    expect(await s.emittingAccountEvents([['message.failed', { ...sent, error: 'bounced' }]])).toBeNull()
  })

  it('queues nothing for events no enabled webhook subscribes to, and a disabled one gets none', async () => {
    const { service: s } = await service()
    const orders = await s.create({ name: 'Orders', url: 'https://orders.example.com/hook', events: ['track:Order Placed'] })
    const off = await s.create({ name: 'Off', url: 'https://off.example.com/hook', events: ['track:*'], enabled: false })
    if (!orders.ok || !off.ok) throw new Error('create failed')
    const track = (messageId: string, event: string) => ({ messageId, userId: 'jane@example.com', event, properties: {}, timestamp: 0 })
    expect(await s.emitAccountEvents([['track:Page Viewed', track('m-1', 'Page Viewed')]])).toEqual([[]])
    const ids = await s.emitAccountEvents([
      ['track:Page Viewed', track('m-2', 'Page Viewed')],
      ['track:Order Placed', track('m-3', 'Order Placed')],
    ])
    expect(ids.map((list) => list.length)).toEqual([0, 1])
    const queued = async (webhookId: string) => {
      const list = await s.deliveries(webhookId)
      return list.ok ? list.value.length : -1
    }
    expect([await queued(orders.value.id), await queued(off.value.id)]).toEqual([1, 0])
  })

  it('sends journey lifecycle, track and message events to the endpoints subscribed to them', async () => {
    const receiver = await startReceiver()
    receivers.push(receiver)
    const { service: s, clock } = await service()
    const journeys = await s.create({ name: 'Journeys', url: `${receiver.url}/journeys`, events: ['journey.published', 'journey.deleted'] })
    const tracks = await s.create({ name: 'Orders', url: `${receiver.url}/tracks`, events: ['track:Order Placed'] })
    const all = await s.create({ name: 'All', url: `${receiver.url}/all`, events: ['track:*', 'message.delivered'] })
    const none = await s.create({ name: 'Node only', url: `${receiver.url}/none` })
    if (!journeys.ok || !tracks.ok || !all.ok || !none.ok) throw new Error('create failed')

    const journey = { id: 'j_1', name: 'Repeat Order Journey', status: 'live', version: 2, createdAt: '2017-03-06T11:00:52.000Z', updatedAt: '2017-03-06T11:00:52.000Z', tags: ['premium-user'] }
    expect(await s.emitAccountEvent('journey.published', { journey, actor: 'admin@example.com' })).toMatchObject({ ok: true, value: { deliveryIds: [expect.any(String)] } })
    expect(await s.emitAccountEvent('journey.created', { journey })).toEqual({ ok: true, value: { deliveryIds: [] } })
    const track = { messageId: 'm-1', userId: 'jane@example.com', event: 'Order Placed', properties: { total: 42 }, timestamp: Date.parse('2024-07-04T12:25:01Z') }
    expect(await s.emitAccountEvent('track:Order Placed', track)).toMatchObject({ ok: true, value: { deliveryIds: [expect.any(String), expect.any(String)] } })
    // The same track event again adds nothing: ids derive from its message id.
    await s.emitAccountEvent('track:Order Placed', track)
    await s.emitAccountEvent('track:Page Viewed', { ...track, messageId: 'm-2', event: 'Page Viewed' })
    await s.emitAccountEvent('message.delivered', {
      messageId: 'msg_1',
      channel: 'app_push',
      userId: '6425',
      identities: ['jane.doe@domain.com'],
      journey: { id: 'j_1', name: 'Repeat Order Journey', version: 2 },
      nodeId: 'push_1',
      runId: 'run_1',
      content: { title: 'Welcome to Acme!', body: 'Click here to register for the next event.' },
    })
    await s.tick()
    await s.tick()
    const byPath = (path: string) => receiver.requests.filter((r) => r.url === path).map((r) => JSON.parse(r.body))
    expect(byPath('/journeys')).toEqual([
      {
        category: 'account',
        resource: 'Journey',
        version: 1,
        event_name: 'journey_published',
        event_time: `${new Date(clock.now()).toISOString().slice(0, 19)}+0000`,
        license_code: 'acme_prod',
        user_id: 'admin@example.com',
        event_data: {
          id: 'j_1',
          name: 'Repeat Order Journey',
          status: 'LIVE',
          version: 2,
          creationTime: '2017-03-06T11:00:52+0000',
          updateTime: '2017-03-06T11:00:52+0000',
          tags: ['premium-user'],
          actionBy: 'admin@example.com',
          actionTime: `${new Date(clock.now()).toISOString().slice(0, 19)}+0000`,
        },
      },
    ])
    expect(byPath('/tracks')).toEqual([
      {
        event_name: 'Order Placed',
        event_time: '2024-07-04T12:25:01+0000',
        license_code: 'acme_prod',
        category: 'application',
        user_id: 'jane@example.com',
        anonymous_id: null,
        event_data: { total: 42 },
        system_data: { message_id: 'm-1', context: {} },
      },
    ])
    const allBodies = byPath('/all')
    expect(allBodies.map((b) => b.event_name ?? b.event).sort()).toEqual(['Order Placed', 'Page Viewed', 'message.delivered'])
    expect(allBodies.find((b) => b.event === 'message.delivered')).toMatchObject({
      targetId: 'j_1',
      profiles: [
        {
          identity: '6425',
          all_identities: ['jane.doe@domain.com', '6425'],
          payload: {
            title: 'Welcome to Acme!',
            body: 'Click here to register for the next event.',
            kvs: { channel: 'app_push', message_id: 'msg_1', status: 'delivered', journey_id: 'j_1', node_id: 'push_1', run_id: 'run_1' },
          },
        },
      ],
    })
    expect(byPath('/none')).toEqual([])
    const deliveries = await s.deliveries(journeys.value.id)
    expect(deliveries).toMatchObject({ ok: true, value: [{ source: 'account', summary: 'journey.published', status: 'delivered' }] })
  })
})

describe('the timeout of a test', () => {
  it('covers the DNS lookup: a lookup that never answers ends at timeoutMs', async () => {
    const { service: s } = await service({ resolve: () => new Promise(() => undefined) })
    const created = await s.create({ name: 'Slow DNS', url: 'https://hooks.slow-dns.test/in', timeoutMs: 200 })
    if (!created.ok) throw new Error(created.message)
    const started = performance.now()
    const result = await s.test(created.value.id)
    expect(performance.now() - started).toBeLessThan(1500)
    expect(result).toMatchObject({ ok: true, value: { ok: false, status: null, error: 'no answer within 200 ms' } })
    expect(result.ok && result.value.durationMs).toBeLessThan(1500)
  })
})
