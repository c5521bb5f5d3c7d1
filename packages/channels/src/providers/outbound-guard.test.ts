import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAddressGuard, type Resolver } from '@switchyard/webhooks'
import { createChannelService } from '../channel-service'
import { fixedClock, loopbackGuard, makeJob, memoryBackend, memoryDb, SAMPLE_MESSAGES, testBox } from '../test-support'

/** A TCP listener that greets like sshd: what a port scan through the SMTP provider would read. */
let banner: Server
let bannerPort = 0
let bannerConnections = 0
/** A port that was listening a moment ago and is closed now. */
let closedPort = 0

const listen = (server: Server | HttpServer, host = '127.0.0.1'): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, host, () => {
      const address = server.address()
      resolve(address !== null && typeof address === 'object' ? address.port : 0)
    }),
  )

beforeAll(async () => {
  banner = createServer((socket) => {
    bannerConnections += 1
    socket.end('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n')
  })
  bannerPort = await listen(banner)
  const closed = createServer()
  closedPort = await listen(closed)
  await new Promise<void>((resolve) => closed.close(() => resolve()))
})

afterAll(async () => {
  await new Promise<void>((resolve) => banner.close(() => resolve()))
})

async function smtpService(host: string, port: number, guard = createAddressGuard(), smtpTimeoutMs = 2_000) {
  const svc = await createChannelService({ backend: memoryBackend(), secretBox: testBox, clock: fixedClock(0), smtpTimeoutMs, guard })
  const created = await svc.providers.create({ name: 'SMTP', channel: 'email', kind: 'smtp', config: { host, port, from: 'a@b.test' } })
  if (!created.ok) throw new Error(created.message)
  return { svc, providerId: created.value.id }
}

describe('the SMTP provider behind the address guard', () => {
  it.each(['127.0.0.1', 'localhost', '2130706433', '::1', '0x7f000001'])('refuses %s without connecting, unless allowed', async (host) => {
    const before = bannerConnections
    const { svc, providerId } = await smtpService(host, bannerPort)
    const tested = await svc.test(providerId, 'x@example.test')
    expect(tested).toMatchObject({ ok: true, value: { ok: false, reason: expect.stringMatching(/loopback|ALLOW_PRIVATE_TARGETS/) } })
    expect(JSON.stringify(tested)).not.toContain('SSH')
    const sent = await svc.send(makeJob('email', SAMPLE_MESSAGES.email))
    expect(sent).toMatchObject({ ok: false, retryable: false })
    expect(bannerConnections).toBe(before)
  })

  it('answers the same words for a closed port and for one that speaks another protocol, never its bytes', async () => {
    const open = await smtpService('127.0.0.1', bannerPort, loopbackGuard)
    const closed = await smtpService('127.0.0.1', closedPort, loopbackGuard)
    const a = await open.svc.test(open.providerId, 'x@example.test')
    const b = await closed.svc.test(closed.providerId, 'x@example.test')
    expect(a).toEqual({ ok: true, value: expect.objectContaining({ ok: false, reason: `could not talk to an SMTP server at 127.0.0.1:${bannerPort}` }) })
    expect(b).toEqual({ ok: true, value: expect.objectContaining({ ok: false, reason: `could not talk to an SMTP server at 127.0.0.1:${closedPort}` }) })
    expect(JSON.stringify(a)).not.toMatch(/SSH|OpenSSH|Ubuntu/)
  })
})

describe('the HTTP provider behind the address guard', () => {
  let gateway: HttpServer
  let port = 0
  const hosts: string[] = []
  beforeAll(async () => {
    gateway = createHttpServer((req, res) => {
      hosts.push(req.headers.host ?? '')
      req.resume()
      req.on('end', () => res.end('{"sid":"SM1"}'))
    })
    port = await listen(gateway)
  })
  afterAll(async () => {
    gateway.closeAllConnections()
    await new Promise<void>((resolve) => gateway.close(() => resolve()))
  })

  it('dials the address it checked: a name flipping to a refused address never reaches it', async () => {
    // Every other lookup answers a refused address, as a rebinding DNS server would.
    let lookups = 0
    const resolve: Resolver = async () => {
      lookups += 1
      return [{ address: lookups % 2 === 1 ? '127.0.0.1' : '10.0.0.1', family: 4 }]
    }
    const guard = createAddressGuard({ allowPrivate: ['127.0.0.1/32'], resolve })
    const svc = await createChannelService({ backend: memoryBackend(), secretBox: testBox, clock: fixedClock(0), guard })
    await svc.providers.create({ name: 'H', channel: 'sms', kind: 'http', config: { url: `http://gw.flip.test:${port}/send`, body: '{}', messageIdPath: 'sid' } })
    const outcomes: string[] = []
    for (let i = 0; i < 40; i += 1) {
      const r = await svc.send(makeJob('sms', SAMPLE_MESSAGES.sms))
      outcomes.push(r.ok ? 'sent' : r.reason)
    }
    // gw.flip.test exists only in the injected resolver: every request that arrived was dialled to
    // the address the guard had checked, and the others were refused before any connection.
    expect(outcomes.filter((o) => o === 'sent').length).toBe(hosts.length)
    expect(hosts.length).toBeGreaterThan(0)
    expect(new Set(hosts)).toEqual(new Set([`gw.flip.test:${port}`]))
    for (const o of outcomes) expect(o === 'sent' || o === 'gw.flip.test resolves to address 10.0.0.1 is private; add it to ALLOW_PRIVATE_TARGETS to allow it').toBe(true)
  })

  it('refuses loopback targets by default', async () => {
    const svc = await createChannelService({ backend: memoryBackend(), secretBox: testBox, clock: fixedClock(0) })
    await svc.providers.create({ name: 'H', channel: 'sms', kind: 'http', config: { url: `http://127.0.0.1:${port}/send`, body: '{}' } })
    const before = hosts.length
    expect(await svc.send(makeJob('sms', SAMPLE_MESSAGES.sms))).toMatchObject({ ok: false, retryable: false, reason: expect.stringContaining('loopback') })
    expect(hosts.length).toBe(before)
  })
})

describe('a provider whose DNS never answers', () => {
  const hanging = createAddressGuard({ resolve: () => new Promise(() => undefined) })

  it('HTTP: the timeout covers the lookup', async () => {
    const svc = await createChannelService({ backend: memoryBackend(), secretBox: testBox, clock: fixedClock(0), guard: hanging })
    await svc.providers.create({ name: 'H', channel: 'sms', kind: 'http', config: { url: 'https://gw.hanging.test/send', body: '{}', timeoutMs: 200 } })
    const started = performance.now()
    expect(await svc.send(makeJob('sms', SAMPLE_MESSAGES.sms))).toMatchObject({ ok: false, retryable: true, reason: 'no answer within 200 ms' })
    expect(performance.now() - started).toBeLessThan(1500)
  })

  it('SMTP: the connection timeout covers the lookup', async () => {
    const { svc, providerId } = await smtpService('mx.hanging.test', 25, hanging, 300)
    const started = performance.now()
    expect(await svc.test(providerId, 'x@example.test')).toMatchObject({ ok: true, value: { ok: false, reason: 'could not talk to an SMTP server at mx.hanging.test:25' } })
    expect(performance.now() - started).toBeLessThan(1500)
  })
})
