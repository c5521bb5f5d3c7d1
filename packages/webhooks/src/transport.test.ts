import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { type Server, createServer } from 'node:https'
import { createSecureContext } from 'node:tls'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Resolver, createAddressGuard } from './address-guard'
import { type Receiver, startReceiver } from './testing'
import { createTransport } from './transport'

describe('pinned connections', () => {
  let receiver: Receiver
  beforeAll(async () => {
    receiver = await startReceiver('127.0.0.1')
  })
  afterAll(async () => {
    await receiver.close()
  })

  it('connects to the address the guard checked, keeping the name in the Host header', async () => {
    const calls: string[] = []
    const resolve: Resolver = async (hostname) => {
      calls.push(hostname)
      // A rebinding resolver: the second answer would be a private address.
      return calls.length === 1 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.0.0.1', family: 4 }]
    }
    const transport = createTransport({ guard: createAddressGuard({ allowPrivate: ['127.0.0.1/32'], resolve }) })
    const result = await transport.send({ url: `http://hooks.test:${receiver.port}/in`, headers: {}, body: '{}', timeoutMs: 2000 })
    expect(result).toMatchObject({ kind: 'response', status: 200 })
    expect(receiver.requests.at(-1)?.headers.host).toBe(`hooks.test:${receiver.port}`)
    expect(calls).toEqual(['hooks.test'])
    await transport.close()
    // A fresh connection asks again, and this time the answer is refused.
    const again = createTransport({ guard: createAddressGuard({ allowPrivate: ['127.0.0.1/32'], resolve }) })
    expect(await again.send({ url: `http://hooks.test:${receiver.port}/in`, headers: {}, body: '{}', timeoutMs: 2000 })).toMatchObject({
      kind: 'refused',
      error: 'hooks.test resolves to address 10.0.0.1 is private; add it to ALLOW_PRIVATE_TARGETS to allow it',
    })
    await again.close()
  })
})

describe('pinned TLS connections', () => {
  let server: Server
  let port = 0
  const servernames: string[] = []
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-tls-'))
    const keyFile = join(dir, 'key.pem')
    const certFile = join(dir, 'cert.pem')
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=hooks.test', '-days', '1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' })
    const credentials = { key: readFileSync(keyFile), cert: readFileSync(certFile) }
    server = createServer(
      {
        ...credentials,
        SNICallback: (servername, callback) => {
          servernames.push(servername)
          callback(null, createSecureContext(credentials))
        },
      },
      (_req, res) => res.end('ok'),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    const address = server.address()
    port = typeof address === 'object' && address !== null ? address.port : 0
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('sends the URL host as SNI while dialling the checked address', async () => {
    const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }]
    const transport = createTransport({ guard: createAddressGuard({ allowPrivate: ['127.0.0.1/32'], resolve }) })
    const result = await transport.send({ url: `https://hooks.test:${port}/in`, headers: {}, body: '{}', timeoutMs: 2000 })
    // A self-signed certificate: the handshake is refused by us, after the server saw the name.
    expect(result).toMatchObject({ kind: 'network', error: `TLS handshake with hooks.test:${port} failed` })
    await transport.close()
    expect(servernames).toContain('hooks.test')
  })
})
