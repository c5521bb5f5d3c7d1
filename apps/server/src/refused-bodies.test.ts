import { connect } from 'node:net'
import { expect, it } from 'vitest'
import { liveServers, until } from '../test/live'

const servers = liveServers()

/** Blocks the event loop, as a loaded machine does now and then. */
function stall(ms: number): void {
  const end = Date.now() + ms
  while (Date.now() < end) {
    // busy: nothing else runs, the server's timers included
  }
}

it('answers a request refused before its body is read, and keeps its keep-alive connection usable', async () => {
  const { url } = await servers.start({ WRITE_KEY: 'wk' })
  const socket = connect(Number(new URL(url).port), '127.0.0.1')
  let received = ''
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')))
  socket.on('error', () => {})
  await new Promise((resolve) => socket.once('connect', resolve))
  const body = JSON.stringify({ userId: 'ann', event: 'x', properties: { pad: 'p'.repeat(300_000) } })
  // A wrong key is refused from the headers alone; half the body is still on its way.
  socket.write(`POST /v1/track HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer wrong\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 150_000)}`)
  await until(() => received, (r) => r.length > 0, 200)
  stall(800)
  socket.write(`${body.slice(150_000)}GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n`)
  const all = await until(() => received, (r) => r.includes('"ok":true'), 3_000)
  socket.destroy()
  expect(all).toContain('auth.invalid_write_key')
  expect(all).toContain('"ok":true')
})

it('answers a chunked body over the limit with payload.too_large and closes the connection it stopped reading', async () => {
  const { url } = await servers.start()
  const socket = connect(Number(new URL(url).port), '127.0.0.1')
  let received = ''
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')))
  socket.on('error', () => {})
  await new Promise((resolve) => socket.once('connect', resolve))
  const chunk = `{"pad":"${'p'.repeat(60_000)}",`
  socket.write(`POST /v1/track HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`)
  for (let i = 0; i < 12; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)
  socket.write('0\r\n\r\n')
  const all = await until(() => received, (r) => r.includes('}}'), 3_000)
  socket.destroy()
  expect(all).toContain('payload.too_large')
  expect(all.toLowerCase()).toContain('connection: close')
})
