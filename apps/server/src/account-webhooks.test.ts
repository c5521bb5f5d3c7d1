import { describe, expect, it } from 'vitest'
import { SMTPServer } from 'smtp-server'
import { action, edge, exit, graph, journeyInput, loadExample, trigger, WebhookSink } from '@switchyard/testkit'
import { http, liveServers, until } from '../test/live'

const servers = liveServers()
const cleanups = { push: (fn: () => Promise<void>) => servers.onCleanup(fn) }
const start = async (env: Record<string, string> = {}) => (await servers.start({ WORKSPACE: 'acme', ...env })).url





async function receiver(): Promise<WebhookSink> {
  const sink = new WebhookSink()
  await sink.start()
  cleanups.push(() => sink.stop())
  return sink
}

describe('account-level webhooks', () => {
  it('report journey lifecycle, forward named track events and report messages sent', async () => {
    const url = await start()
    const sink = await receiver()
    const sub = await http(url, 'POST', '/api/webhooks', {
      name: 'Audit',
      url: `${sink.url}/audit`,
      events: ['journey.created', 'journey.published', 'journey.paused', 'track:Purchased', 'message.sent'],
    })
    expect(sub.status).toBe(201)
    const { id } = (await http(url, 'POST', '/api/journeys', journeyInput('Receipt', graph([trigger('t', 'Purchased'), action('m', 'sms', { text: 'Thanks!' }), exit('x')], [edge('t', 'next', 'm'), edge('m', 'next', 'x')])))).json
    await http(url, 'POST', `/api/journeys/${id}/publish`)
    await http(url, 'POST', '/v1/track', { userId: 'ann', event: 'Purchased', properties: { amount: 5 } })
    await http(url, 'POST', '/v1/track', { userId: 'ann', event: 'Browsed' })
    await http(url, 'POST', `/api/journeys/${id}/pause`)
    const bodies = await until(
      () => sink.received.map((r) => r.body),
      (b) => b.length >= 5,
    )
    const text = bodies.join('\n')
    expect(text).toContain('Receipt')
    expect(text).toContain('Purchased')
    expect(text).not.toContain('Browsed')
    expect(sink.received).toHaveLength(5)
    expect(new Set(sink.received.map((r) => r.headers['webhook-id'])).size).toBe(5)
  })
})

describe('message delivered', () => {
  it('reports the journey it came from, and one receipt through two paths is stored once', async () => {
    const url = await start()
    const sink = await receiver()
    await http(url, 'POST', '/api/webhooks', { name: 'Receipts', url: `${sink.url}/r`, events: ['message.delivered'] })
    const { id } = (await http(url, 'POST', '/api/journeys', journeyInput('Receipt', graph([trigger('t', 'Purchased'), action('m', 'sms', { text: 'Thanks!' }), exit('x')], [edge('t', 'next', 'm'), edge('m', 'next', 'x')])))).json
    await http(url, 'POST', `/api/journeys/${id}/publish`)
    await http(url, 'POST', '/v1/track', { userId: 'ann', event: 'Purchased' })
    const run = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/ann`),
      (r) => r.json.runs[0]?.history.some((h: { detail: { status?: string } | null }) => h.detail?.status === 'sent'),
    )
    const messageId = run.json.runs[0].history.find((h: { kind: string }) => h.kind === 'message').messageId
    expect((await http(url, 'POST', '/api/channels/sandbox/emit', { messageId, status: 'delivered' })).status).toBe(200)
    expect((await http(url, 'POST', '/v1/activity', { userId: 'ann', channel: 'sms', status: 'delivered', messageId })).status).toBe(200)
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metrics).toContain('switchyard_events_duplicate_total 1')
    await until(() => sink.received.length, (n) => n >= 1)
    const body = sink.received[0]?.body ?? ''
    expect(body).toContain('Receipt')
    expect(body).toContain(messageId)
  })
})

describe('track forwarding subscriptions', () => {
  it('start and stop with the webhooks that ask for them', async () => {
    const url = await start()
    const sink = await receiver()
    await http(url, 'POST', '/v1/track', { userId: 'ann', event: 'Browsed' })
    const hook = (await http(url, 'POST', '/api/webhooks', { name: 'Browse feed', url: `${sink.url}/b`, events: ['track:Browsed'] })).json
    await http(url, 'POST', '/v1/track', { userId: 'bob', event: 'Browsed' })
    await until(() => sink.received.length, (n) => n >= 1)
    await http(url, 'DELETE', `/api/webhooks/${hook.id}`)
    await http(url, 'POST', '/v1/track', { userId: 'cid', event: 'Browsed' })
    const other = (await http(url, 'POST', '/api/webhooks', { name: 'Marker', url: `${sink.url}/m`, events: ['track:Marker'] })).json
    await http(url, 'POST', '/v1/track', { userId: 'dan', event: 'Marker' })
    await until(() => sink.received.length, (n) => n >= 2)
    expect(other.id).toBeTruthy()
    expect(sink.received.map((r) => r.path)).toEqual(['/b', '/m'])
    expect(sink.received[0]?.body).toContain('bob')
  })
})

describe('webhook failure alerts', () => {
  it('emails the alert address when an endpoint answers 410 Gone', async () => {
    const mails: string[] = []
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _s, cb) {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          mails.push(Buffer.concat(chunks).toString('utf8'))
          cb()
        })
      },
    })
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => smtp.close(() => r())))
    const address = smtp.server.address()
    const port = address !== null && typeof address === 'object' ? address.port : 0
    const url = await start({ ALERT_EMAIL: 'ops@shop.example' })
    await http(url, 'POST', '/api/channels', { name: 'Mail', channel: 'email', kind: 'smtp', config: { host: '127.0.0.1', port, from: 'alerts@shop.example' } })
    const sink = await receiver()
    sink.respond = () => ({ status: 410 })
    const hook = (await http(url, 'POST', '/api/webhooks', { name: 'Old CRM', url: `${sink.url}/gone` })).json
    const { id } = (await http(url, 'POST', '/api/journeys', loadExample('single-action', hook.id))).json
    await http(url, 'POST', `/api/journeys/${id}/publish`)
    await http(url, 'POST', '/v1/track', { userId: 'ann', event: 'App Launched' })
    await until(() => mails.length, (n) => n >= 1)
    expect(mails[0]).toContain('Old CRM')
    expect(mails[0]).toMatch(/To: ops@shop\.example/)
    expect((await http(url, 'GET', `/api/webhooks/${hook.id}`)).json.state).toBe('disabled')
    expect((await http(url, 'GET', `/api/webhooks/${hook.id}/alerts`)).json.alerts[0].kind).toBe('endpoint_gone')
  })
})
