import { describe, expect, it } from 'vitest'
import { SMTPServer } from 'smtp-server'
import { action, edge, exit, graph, journeyInput, minutes, trigger, waitActivity, WebhookSink } from '@switchyard/testkit'
import { http, liveServers, until } from '../test/live'

const servers = liveServers()
const cleanups = { push: (fn: () => Promise<void>) => servers.onCleanup(fn) }
const start = async (env: Record<string, string> = {}) => (await servers.start(env)).url





interface Mail {
  from: string
  to: string[]
  raw: string
}

async function smtp(): Promise<{ port: number; mails: Mail[] }> {
  const mails: Mail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const address = server.server.address()
  return { port: address !== null && typeof address === 'object' ? address.port : 0, mails }
}

const flow = (channel: string, message: Record<string, unknown>, status: string) =>
  graph(
    [trigger('t', 'Signed Up'), action('msg', channel, message), waitActivity('w', status, minutes(30)), exit('reacted'), exit('silent')],
    [edge('t', 'next', 'msg'), edge('msg', 'next', 'w'), edge('w', 'matched', 'reacted'), edge('w', 'timeout', 'silent')],
  )

describe('an email journey', () => {
  it('sends real mail over SMTP, and a simulated open moves the user down the matched branch', async () => {
    const url = await start()
    const mailbox = await smtp()
    const provider = await http(url, 'POST', '/api/channels', {
      name: 'Local SMTP',
      channel: 'email',
      kind: 'smtp',
      config: { host: '127.0.0.1', port: mailbox.port, secure: false, from: 'Shop <news@shop.example>' },
    })
    expect(provider.status).toBe(201)
    const { id } = (await http(url, 'POST', '/api/journeys', journeyInput('Welcome', flow('email', { subject: 'Welcome, {{ user.traits.name }}!', body: 'Your code is {{ event.properties.code }}.' }, 'opened')))).json
    expect((await http(url, 'POST', `/api/journeys/${id}/publish`)).status).toBe(200)
    await http(url, 'POST', '/v1/identify', { userId: 'ann', traits: { name: 'Ann', email: 'ann@example.com' } })
    await http(url, 'POST', '/v1/track', { userId: 'ann', event: 'Signed Up', properties: { code: 'X42' } })

    await until(async () => mailbox.mails.length, (n) => n >= 1)
    const [mail] = mailbox.mails
    expect(mail?.to).toEqual(['ann@example.com'])
    expect(mail?.raw).toContain('Subject: Welcome, Ann!')
    expect(mail?.raw).toContain('Your code is X42.')

    const waiting = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/ann`),
      (r) => r.json.runs[0]?.history.some((h: { detail: { status?: string } | null }) => h.detail?.status === 'sent'),
    )
    const messageId = waiting.json.runs[0].history.find((h: { kind: string }) => h.kind === 'message').messageId
    expect(mail?.raw).toContain(messageId)
    expect((await http(url, 'POST', '/v1/activity', { userId: 'ann', channel: 'email', status: 'opened', messageId })).status).toBe(200)
    const done = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/ann`),
      (r) => r.json.runs[0]?.status === 'completed',
    )
    expect(done.json.runs[0].currentNodeId).toBe('reacted')
  })
})

describe('a provider that fails', () => {
  it('records the failure in the run, and a wait on `failed` takes the user on', async () => {
    const url = await start()
    const gateway = new WebhookSink()
    cleanups.push(() => gateway.stop())
    await gateway.start()
    gateway.respond = () => ({ status: 400, body: '{"error":"invalid number"}', headers: { 'content-type': 'application/json' } })
    await http(url, 'POST', '/api/channels', {
      name: 'WhatsApp gateway',
      channel: 'whatsapp',
      kind: 'http',
      config: { url: `${gateway.url}/send`, body: '{"to":"{{ user.traits.phone }}","text":{{ message.text | json }}}' },
    })
    const { id } = (await http(url, 'POST', '/api/journeys', journeyInput('Nudge', flow('whatsapp', { text: 'Hi {{ user.id }}' }, 'failed')))).json
    await http(url, 'POST', `/api/journeys/${id}/publish`)
    await http(url, 'POST', '/v1/track', { userId: 'bob', event: 'Signed Up' })
    const done = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/bob`),
      (r) => r.json.runs[0]?.status === 'completed',
    )
    const run = done.json.runs[0]
    expect(run.currentNodeId).toBe('reacted')
    const failure = run.history.find((h: { detail: { status?: string } | null }) => h.detail?.status === 'failed')
    expect(failure.detail.reason).toMatch(/400/)
    expect(gateway.received).toHaveLength(1)
    expect(JSON.parse(gateway.received[0]?.body ?? '{}')).toMatchObject({ text: 'Hi bob' })
  })

  it('refuses a gateway on a private address unless it is allowed', async () => {
    // Without ALLOW_PRIVATE_TARGETS: the gateway on 127.0.0.1 must be refused.
    const url = await start({ ALLOW_PRIVATE_TARGETS: '' })
    const gateway = new WebhookSink()
    cleanups.push(() => gateway.stop())
    await gateway.start()
    await http(url, 'POST', '/api/channels', { name: 'Gateway', channel: 'sms', kind: 'http', config: { url: `${gateway.url}/send`, body: '{}' } })
    const { id } = (await http(url, 'POST', '/api/journeys', journeyInput('SMS', flow('sms', { text: 'hi' }, 'delivered')))).json
    await http(url, 'POST', `/api/journeys/${id}/publish`)
    await http(url, 'POST', '/v1/track', { userId: 'cid', event: 'Signed Up' })
    const run = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/cid`),
      (r) => r.json.runs[0]?.history.some((h: { detail: { status?: string } | null }) => h.detail?.status === 'failed'),
      15_000,
    )
    const failure = run.json.runs[0].history.find((h: { detail: { status?: string } | null }) => h.detail?.status === 'failed')
    expect(failure?.detail.reason).toMatch(/loopback|private|127\.0\.0\.1/)
    expect(gateway.received).toHaveLength(0)
  }, 20_000)
})
