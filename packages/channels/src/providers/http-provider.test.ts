import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Channel } from '@switchyard/schema'
import { createChannelService } from '../channel-service'
import { fixedClock, loopbackGuard, makeJob, memoryBackend, memoryDb, SAMPLE_MESSAGES, testBox } from '../test-support'

interface Hit {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

const hits: Hit[] = []
let server: Server
let base = ''

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      hits.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body })
      const path = req.url ?? ''
      if (path.startsWith('/twilio')) {
        res.writeHead(201, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ sid: `SM${hits.length}`, status: 'queued' }))
      } else if (path.startsWith('/fcm')) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ name: `projects/demo/messages/0:${hits.length}` }))
      } else if (path.startsWith('/nested')) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ messages: [{ id: 'wamid.ABC' }] }))
      } else if (path.startsWith('/500')) {
        res.writeHead(500)
        res.end('upstream broke')
      } else if (path.startsWith('/429')) {
        res.writeHead(429)
        res.end('slow down')
      } else if (path.startsWith('/400')) {
        res.writeHead(400, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ message: 'The To number is not valid' }))
      } else if (path.startsWith('/redirect')) {
        res.writeHead(302, { location: 'http://127.0.0.1:1/' })
        res.end()
      } else if (path.startsWith('/slow')) {
        setTimeout(() => {
          res.writeHead(200)
          res.end('{}')
        }, 2_000)
      } else {
        res.writeHead(200)
        res.end('ok')
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  base = `http://127.0.0.1:${(address satisfies AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const TWILIO_BODY =
  'To={{ to | url_encode }}&From=%2B15550000&Body={{ message.text | url_encode }}&StatusCallback={{ "https://sy.example/v1/receipts/twilio" | url_encode }}'

async function serviceWith(channel: Channel, config: Record<string, unknown>) {
  const svc = await createChannelService({ backend: memoryBackend(), secretBox: testBox, clock: fixedClock(0), guard: loopbackGuard })
  const created = await svc.providers.create({ name: `HTTP ${channel}`, channel, kind: 'http', config })
  if (!created.ok) throw new Error(JSON.stringify(created))
  return { svc, providerId: created.value.id }
}

describe('generic HTTP provider', () => {
  it('posts a Twilio-style form with basic auth and keeps the provider id from the answer', async () => {
    const { svc } = await serviceWith('sms', {
      url: `${base}/twilio/Messages.json`,
      auth: { type: 'basic', username: 'AC123', password: 'twilio-token' },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: TWILIO_BODY,
      messageIdPath: 'sid',
    })
    const job = makeJob('sms', { text: 'Hi {{ user.traits.name }} & welcome' })
    const r = await svc.send(job)
    expect(r).toMatchObject({ ok: true, rendered: { fields: { text: 'Hi Ada & welcome' } } })
    const hit = hits.find((h) => h.headers['idempotency-key'] === job.id)
    expect(hit?.method).toBe('POST')
    expect(hit?.headers.authorization).toBe(`Basic ${Buffer.from('AC123:twilio-token').toString('base64')}`)
    expect(hit?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    const form = new URLSearchParams(hit?.body ?? '')
    expect(form.get('To')).toBe('+15550001')
    expect(form.get('Body')).toBe('Hi Ada & welcome')
    expect(r.ok && r.providerMessageId).toMatch(/^SM\d+$/)
    expect((await svc.messages.get(job.id))?.providerMessageId).toBe(r.ok ? r.providerMessageId : null)
  })

  it('posts an FCM-style JSON body with a bearer token and custom headers', async () => {
    const { svc } = await serviceWith('app_push', {
      url: `${base}/fcm/v1/projects/demo/messages:send`,
      auth: { type: 'bearer', token: 'fcm-access-token' },
      headers: { 'X-Project': 'demo' },
      body: '{"message":{"token":{{ to | json }},"notification":{"title":{{ message.title | json }},"body":{{ message.body | json }}},"data":{"switchyard_message_id":{{ message.id | json }}}}}',
      messageIdPath: 'name',
    })
    const job = makeJob('app_push', { title: 'Say "hi" {{ user.traits.name }}', body: 'Line 1\nLine 2' })
    const r = await svc.send(job)
    expect(r.ok).toBe(true)
    const hit = hits.find((h) => h.headers['idempotency-key'] === job.id)
    expect(hit?.headers.authorization).toBe('Bearer fcm-access-token')
    expect(hit?.headers['x-project']).toBe('demo')
    expect(hit?.headers['content-type']).toBe('application/json')
    expect(JSON.parse(hit?.body ?? '')).toEqual({
      message: { token: 'tok-1', notification: { title: 'Say "hi" Ada', body: 'Line 1\nLine 2' }, data: { switchyard_message_id: job.id } },
    })
    expect(r.ok && r.providerMessageId).toMatch(/^projects\/demo\/messages\/0:\d+$/)
  })

  it('reads a nested provider id path', async () => {
    const { svc } = await serviceWith('whatsapp', { url: `${base}/nested`, body: '{"to":{{ to | json }}}', messageIdPath: 'messages.0.id' })
    expect(await svc.send(makeJob('whatsapp', SAMPLE_MESSAGES.whatsapp))).toMatchObject({ ok: true, providerMessageId: 'wamid.ABC' })
  })

  it('sends every channel through HTTP', async () => {
    for (const channel of ['email', 'sms', 'app_push', 'web_push', 'whatsapp', 'rcs'] as const) {
      const { svc } = await serviceWith(channel, { url: `${base}/ok/${channel}`, body: '{"to":{{ to | json }},"m":{{ message | json }}}' })
      const job = makeJob(channel, SAMPLE_MESSAGES[channel])
      const sent = await svc.send(job)
      expect(sent, JSON.stringify(sent)).toMatchObject({ ok: true, providerMessageId: null })
      const hit = hits.find((h) => h.headers['idempotency-key'] === job.id)
      expect(hit?.path).toBe(`/ok/${channel}`)
      expect(JSON.parse(hit?.body ?? '{}')).toMatchObject({ m: { id: job.id, channel } })
    }
  })

  it('marks 5xx and 429 retryable, other 4xx and redirects final', async () => {
    const cases = [
      ['/500', true, 'HTTP 500: upstream broke'],
      ['/429', true, 'HTTP 429: slow down'],
      ['/400', false, 'HTTP 400: {"message":"The To number is not valid"}'],
      ['/redirect', false, 'HTTP 302'],
    ] as const
    for (const [path, retryable, reason] of cases) {
      const { svc } = await serviceWith('sms', { url: `${base}${path}`, body: '{}' })
      const job = makeJob('sms', SAMPLE_MESSAGES.sms)
      expect(await svc.send(job)).toMatchObject({ ok: false, retryable, reason })
      expect(await svc.messages.get(job.id)).toMatchObject({ status: 'failed', error: reason, attempts: 1 })
    }
  })

  it('gives up on a slow provider after its timeout, retryably', async () => {
    const { svc } = await serviceWith('sms', { url: `${base}/slow`, body: '{}', timeoutMs: 200 })
    expect(await svc.send(makeJob('sms', SAMPLE_MESSAGES.sms))).toMatchObject({ ok: false, retryable: true, reason: 'no answer within 200 ms' })
  })

  it('retries when nothing listens', async () => {
    const { svc } = await serviceWith('sms', { url: 'http://127.0.0.1:1/none', body: '{}' })
    const r = await svc.send(makeJob('sms', SAMPLE_MESSAGES.sms))
    expect(r).toMatchObject({ ok: false, retryable: true })
    if (!r.ok) expect(r.reason).toMatch(/^network error/)
  })

  it('fails for good when the body template is broken', async () => {
    const { svc } = await serviceWith('sms', { url: `${base}/ok`, body: '{% if %}' })
    const r = await svc.send(makeJob('sms', SAMPLE_MESSAGES.sms))
    expect(r).toMatchObject({ ok: false, retryable: false })
    if (!r.ok) expect(r.reason).toMatch(/^request body: template error/)
  })

  it('uses the fetch it is given (the test seam that replaces the guarded transport)', async () => {
    const seen: string[] = []
    const svc = await createChannelService({
      backend: memoryBackend(),
      secretBox: testBox,
      clock: fixedClock(0),
      fetch: async (url) => {
        seen.push(url)
        return new Response('{"id":"x1"}', { status: 200 })
      },
    })
    await svc.providers.create({ name: 'H', channel: 'sms', kind: 'http', config: { url: 'https://api.example.test/send', body: '{}', messageIdPath: 'id' } })
    expect(await svc.send(makeJob('sms', SAMPLE_MESSAGES.sms))).toMatchObject({ ok: true, providerMessageId: 'x1' })
    expect(seen).toEqual(['https://api.example.test/send'])
  })
})
