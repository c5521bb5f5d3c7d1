import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChannelService } from '../channel-service'
import { fixedClock, loopbackGuard, makeJob, memoryBackend, memoryDb, testBox } from '../test-support'
import { MESSAGE_ID_HEADER } from './smtp-provider'

interface Received {
  from: string
  to: string[]
  raw: string
}

const inbox: Received[] = []
let port = 0
let server: SMTPServer

beforeAll(async () => {
  server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'mailer' && auth.password === 'smtp-pass-1') cb(null, { user: auth.username })
      else cb(new Error('Invalid username or password'))
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('gone@')) cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }))
      else if (address.address.startsWith('busy@')) cb(Object.assign(new Error('Try again later'), { responseCode: 451 }))
      else cb()
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom
        inbox.push({
          from: mailFrom === false ? '' : mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        cb()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.server.address()
  if (address === null || typeof address === 'string') throw new Error('SMTP server has no port')
  port = (address satisfies AddressInfo).port
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

async function service() {
  const svc = await createChannelService({ backend: memoryBackend(), secretBox: testBox, clock: fixedClock(Date.parse('2026-01-05T10:00:00Z')), smtpTimeoutMs: 3_000, guard: loopbackGuard })
  const created = await svc.providers.create({
    name: 'Local SMTP',
    channel: 'email',
    kind: 'smtp',
    config: { host: '127.0.0.1', port, secure: false, auth: { user: 'mailer', pass: 'smtp-pass-1' }, from: 'Shop <news@shop.test>' },
  })
  if (!created.ok) throw new Error(created.message)
  return { svc, providerId: created.value.id }
}

describe('email over SMTP', () => {
  it('delivers the rendered subject and body to the SMTP server, with our message id in a header', async () => {
    const { svc, providerId } = await service()
    const job = makeJob('email', { subject: 'Your {{ event.properties.sku }} is waiting', body: 'Hello {{ user.traits.name }}, come back!' })
    const result = await svc.send(job)
    expect(result).toMatchObject({ ok: true, providerId })
    const mail = inbox.find((m) => m.raw.toLowerCase().includes(`${MESSAGE_ID_HEADER.toLowerCase()}: ${job.id}`))
    expect(mail).toBeDefined()
    expect(mail?.from).toBe('news@shop.test')
    expect(mail?.to).toEqual(['ada@example.test'])
    expect(mail?.raw).toContain('Subject: Your SKU-42 is waiting')
    expect(mail?.raw).toContain('Hello Ada, come back!')
    const sent = await svc.messages.get(job.id)
    expect(sent).toMatchObject({ status: 'sent', providerId, recipient: 'ada@example.test', userId: 'u1' })
    expect(result.ok && result.providerMessageId).toBe(sent?.providerMessageId)
    expect(mail?.raw).toContain(`Message-ID: ${sent?.providerMessageId}`)
    expect(mail?.raw).toContain(`X-SMTPAPI: {"unique_args":{"switchyard_message_id":"${job.id}"}}`)
  })

  it('sends an HTML body as HTML', async () => {
    const { svc } = await service()
    const job = makeJob('email', { subject: 'Hi', body: '<p>Hi {{ user.traits.name }}</p>', html: true })
    expect((await svc.send(job)).ok).toBe(true)
    const mail = inbox.find((m) => m.raw.toLowerCase().includes(`${MESSAGE_ID_HEADER.toLowerCase()}: ${job.id}`))
    expect(mail?.raw).toContain('Content-Type: text/html')
    expect(mail?.raw).toContain('<p>Hi Ada</p>')
  })

  it('fails for good when the user has no email address', async () => {
    const { svc } = await service()
    const job = makeJob('email', { subject: 'Hi', body: 'x' }, { traits: { name: 'No mail' } })
    expect(await svc.send(job)).toMatchObject({ ok: false, retryable: false, reason: 'user has no email address' })
    expect(await svc.messages.get(job.id)).toMatchObject({ status: 'failed', error: 'user has no email address' })
  })

  it('treats a permanent SMTP refusal as final and a temporary one as retryable', async () => {
    const { svc } = await service()
    const gone = await svc.send(makeJob('email', { subject: 'Hi', body: 'x' }, { traits: { email: 'gone@example.test' } }))
    expect(gone).toMatchObject({ ok: false, retryable: false })
    if (!gone.ok) expect(gone.reason).toContain('550')
    const busy = await svc.send(makeJob('email', { subject: 'Hi', body: 'x' }, { traits: { email: 'busy@example.test' } }))
    expect(busy).toMatchObject({ ok: false, retryable: true })
  })

  it('refuses a wrong password without retrying', async () => {
    const { svc, providerId } = await service()
    const updated = await svc.providers.update(providerId, {
      name: 'Local SMTP',
      channel: 'email',
      kind: 'smtp',
      config: { host: '127.0.0.1', port, auth: { user: 'mailer', pass: 'wrong' }, from: 'news@shop.test' },
    })
    expect(updated.ok).toBe(true)
    expect(await svc.send(makeJob('email', { subject: 'Hi', body: 'x' }))).toMatchObject({ ok: false, retryable: false })
  })

  it('retries when the server cannot be reached', async () => {
    const svc = await createChannelService({ backend: memoryBackend(), secretBox: testBox, clock: fixedClock(0), smtpTimeoutMs: 2_000, guard: loopbackGuard })
    const created = await svc.providers.create({ name: 'Down', channel: 'email', kind: 'smtp', config: { host: '127.0.0.1', port: 1, from: 'a@b.test' } })
    expect(created.ok).toBe(true)
    const r = await svc.send(makeJob('email', { subject: 'Hi', body: 'x' }))
    expect(r).toMatchObject({ ok: false, retryable: true })
  })

  it('sends a test message through the provider', async () => {
    const { svc, providerId } = await service()
    const r = await svc.test(providerId, 'tester@example.test')
    expect(r).toMatchObject({ ok: true, value: { ok: true, reason: null } })
    expect(inbox.some((m) => m.to.includes('tester@example.test') && m.raw.includes('Subject: Switchyard test message'))).toBe(true)
  })
})
