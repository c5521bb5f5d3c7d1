import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { http, liveServers } from '../test/live'

const servers = liveServers()

/** Greets like sshd: what the SMTP provider's test button used to read back. */
let banner: Server
let bannerPort = 0
let connections = 0

beforeAll(async () => {
  banner = createServer((socket) => {
    connections += 1
    socket.end('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n')
  })
  await new Promise<void>((resolve) => banner.listen(0, '127.0.0.1', () => resolve()))
  const address = banner.address()
  bannerPort = address !== null && typeof address === 'object' ? address.port : 0
})

afterAll(async () => {
  await new Promise<void>((resolve) => banner.close(() => resolve()))
})

describe('channel providers cannot reach this machine', () => {
  it('an SMTP provider on a loopback address is refused before connecting, in every spelling', async () => {
    const { url } = await servers.start({ ALLOW_PRIVATE_TARGETS: '' })
    for (const host of ['127.0.0.1', 'localhost', '2130706433', '::1']) {
      const created = await http(url, 'POST', '/api/channels', { name: `SMTP ${host}`, channel: 'email', kind: 'smtp', config: { host, port: bannerPort, from: 'a@b.test' } })
      expect(created.status, host).toBe(201)
      const tested = await http(url, 'POST', `/api/channels/${created.json.id}/test`, { to: 'x@example.test' })
      expect(tested.status, host).toBe(200)
      expect(tested.json, host).toMatchObject({ ok: false, reason: expect.stringContaining('ALLOW_PRIVATE_TARGETS') })
      expect(JSON.stringify(tested.json)).not.toMatch(/SSH|OpenSSH/)
    }
    expect(connections).toBe(0)
  })

  it('an allowed SMTP target that is not an SMTP server reads as unreachable, without its banner', async () => {
    const { url } = await servers.start({ ALLOW_PRIVATE_TARGETS: '127.0.0.0/8' })
    const created = await http(url, 'POST', '/api/channels', { name: 'SMTP', channel: 'email', kind: 'smtp', config: { host: '127.0.0.1', port: bannerPort, from: 'a@b.test' } })
    const tested = await http(url, 'POST', `/api/channels/${created.json.id}/test`, { to: 'x@example.test' })
    expect(tested.json).toMatchObject({ ok: false, reason: `could not talk to an SMTP server at 127.0.0.1:${bannerPort}` })
    expect(JSON.stringify(tested.json)).not.toMatch(/SSH|OpenSSH/)
  })
})
