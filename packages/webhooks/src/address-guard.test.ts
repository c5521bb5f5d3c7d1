import type { WebhookDeliveryView } from '@switchyard/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Resolver, createAddressGuard, systemResolver } from './address-guard'
import { blockReason } from './blocked-ranges'
import { formatIp, parseIPv4Whatwg, parseIp } from './ip'
import { type Receiver, sampleJob, startReceiver, testService } from './testing'

/** Names that would resolve to private addresses; the real resolver is never asked. */
const fakeDns: Resolver = async (hostname) => {
  // localhost comes from the hosts file: no query leaves the machine.
  if (hostname === 'localhost') return systemResolver(hostname)
  const table: Record<string, { address: string; family: 4 | 6 }[]> = {
    'internal.example.com': [{ address: '10.1.2.3', family: 4 }],
    'mixed.example.com': [
      { address: '93.184.216.34', family: 4 },
      { address: '192.168.0.10', family: 4 },
    ],
    'metadata.example.com': [{ address: 'fd00:ec2::254', family: 6 }],
    'public.example.com': [{ address: '93.184.216.34', family: 4 }],
  }
  const found = table[hostname]
  if (found === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
  return found
}

describe('IP parsing', () => {
  it('reads the numeric host forms the WHATWG URL parser accepts', () => {
    for (const form of ['127.1', '2130706433', '0x7f000001', '0177.0.0.1', '0x7f.1', '127.0.0.1.']) {
      const ip = parseIPv4Whatwg(form)
      expect(ip !== null && ip !== 'invalid' ? formatIp(ip) : ip, form).toBe('127.0.0.1')
    }
    expect(parseIPv4Whatwg('example.com')).toBeNull()
    expect(parseIPv4Whatwg('1.2.3.4.5')).toBe('invalid')
    expect(parseIPv4Whatwg('256.1.1.1')).toBe('invalid')
    expect(parseIPv4Whatwg('09.1.1.1')).toBe('invalid')
  })

  it('agrees with the URL parser on those forms', () => {
    for (const form of ['127.1', '2130706433', '0x7f000001', '0177.0.0.1']) expect(new URL(`http://${form}/`).hostname).toBe('127.0.0.1')
  })

  it('reads IPv6 with compression and an IPv4 tail', () => {
    expect(formatIp(parseIp('::ffff:127.0.0.1') ?? { family: 6, value: 0n })).toBe('::ffff:7f00:1')
    expect(formatIp(parseIp('[fd00:ec2::254]') ?? { family: 6, value: 0n })).toBe('fd00:ec2::254')
    expect(parseIp('1::2::3')).toBeNull()
    expect(parseIp('fe80::1%eth0')).toBeNull()
  })
})

describe('blocked ranges', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['0.0.0.0', 'in "this network" (0.0.0.0/8)'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared address space (CGNAT)'],
    ['169.254.169.254', 'a cloud metadata address'],
    ['169.254.1.1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['198.18.0.1', 'reserved for benchmarking'],
    ['192.0.2.1', 'reserved for documentation'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback (IPv4-mapped 127.0.0.1)'],
    ['::ffff:a9fe:a9fe', 'a cloud metadata address (IPv4-mapped 169.254.169.254)'],
    ['64:ff9b::10.0.0.1', 'private (NAT64 10.0.0.1)'],
    ['2002:c0a8:0101::1', 'private (6to4 192.168.1.1)'],
    ['fd00:ec2::254', 'a cloud metadata address'],
    ['fc00::1', 'unique-local (private)'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved for documentation'],
    ['2001:0:4136:e378::1', 'a Teredo tunnel address'],
  ])('%s is %s', (address, label) => {
    const ip = parseIp(address)
    expect(ip).not.toBeNull()
    if (ip !== null) expect(blockReason(ip)?.label).toBe(label)
  })

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '64:ff9b::8.8.8.8'])('%s is public', (address) => {
    const ip = parseIp(address)
    expect(ip !== null && blockReason(ip)).toBeNull()
  })
})

describe('address guard', () => {
  const guard = createAddressGuard({ resolve: fakeDns })

  it('refuses a private literal with a clear message', async () => {
    expect(await guard.check('10.0.0.1')).toEqual({
      ok: false,
      kind: 'refused',
      error: 'address 10.0.0.1 is private; add it to ALLOW_PRIVATE_TARGETS to allow it',
    })
  })

  it('refuses a name when any address it resolves to is private', async () => {
    expect(await guard.check('internal.example.com')).toMatchObject({ ok: false, kind: 'refused', error: expect.stringContaining('resolves to address 10.1.2.3 is private') })
    expect(await guard.check('mixed.example.com')).toMatchObject({ ok: false, kind: 'refused' })
    expect(await guard.check('metadata.example.com')).toMatchObject({ ok: false, error: expect.stringContaining('cloud metadata') })
  })

  it('pins the checked address for a public name, and reports DNS failure as retryable', async () => {
    expect(await guard.check('public.example.com')).toEqual({ ok: true, address: '93.184.216.34', family: 4 })
    expect(await guard.check('nowhere.example.com')).toMatchObject({ ok: false, kind: 'unresolved', error: expect.stringContaining('ENOTFOUND') })
  })

  it('lets ALLOW_PRIVATE_TARGETS opt CIDRs in, the IPv4-mapped form included', async () => {
    const open = createAddressGuard({ allowPrivate: ['10.0.0.0/8', '127.0.0.1/32'], resolve: fakeDns })
    expect(await open.check('10.9.9.9')).toMatchObject({ ok: true, address: '10.9.9.9' })
    expect(await open.check('internal.example.com')).toMatchObject({ ok: true, address: '10.1.2.3' })
    expect(await open.check('::ffff:127.0.0.1')).toMatchObject({ ok: true })
    expect(await open.check('127.0.0.2')).toMatchObject({ ok: false })
    expect(() => createAddressGuard({ allowPrivate: ['10.0.0.0/33'] })).toThrow(/ALLOW_PRIVATE_TARGETS/)
  })
})

describe('deliveries to forbidden addresses', () => {
  let canary: Receiver
  beforeAll(async () => {
    canary = await startReceiver('127.0.0.1')
  })
  afterAll(async () => {
    await canary.close()
  })

  const forbidden = (port: number) => [
    `http://127.0.0.1:${port}/`,
    `http://localhost:${port}/`,
    `http://127.1:${port}/`,
    `http://2130706433:${port}/`,
    `http://0x7f000001:${port}/`,
    `http://0177.0.0.1:${port}/`,
    `http://0.0.0.0:${port}/`,
    `http://[::1]:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    'http://10.0.0.1/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'https://[fc00::1]/',
    'http://[fe80::1]/',
    'https://internal.example.com/hook',
    'https://metadata.example.com/hook',
  ]

  it('refuses each before connecting, records the attempt, and the canary sees no connection', async () => {
    const { service } = await testService({ allowPrivate: [], resolve: fakeDns })
    const urls = forbidden(canary.port)
    const results: Record<string, WebhookDeliveryView | undefined> = {}
    for (const [i, url] of urls.entries()) {
      const created = await service.create({ name: `target ${i}`, url })
      if (!created.ok) throw new Error(`${url}: ${created.message}`)
      await service.enqueue(sampleJob(created.value.id, { id: `d${i}` }))
      await service.tick()
      const list = await service.deliveries(created.value.id)
      results[url] = list.ok ? list.value[0] : undefined
    }
    for (const url of urls) {
      const d = results[url]
      expect(d?.status, url).toBe('dead')
      expect(d?.history, url).toHaveLength(1)
      expect(d?.history[0]?.status, url).toBeNull()
      expect(d?.history[0]?.error, url).toMatch(/add it to ALLOW_PRIVATE_TARGETS to allow it$/)
    }
    expect(results[`http://127.1:${canary.port}/`]?.history[0]?.error).toBe(
      'address 127.0.0.1 is loopback; add it to ALLOW_PRIVATE_TARGETS to allow it',
    )
    expect(canary.connections).toBe(0)
    expect(canary.requests).toHaveLength(0)
    await service.close()
  })

  it('refuses test sends the same way', async () => {
    const { service } = await testService({ allowPrivate: [], resolve: fakeDns })
    const created = await service.create({ name: 'local', url: `http://localhost:${canary.port}/` })
    if (!created.ok) throw new Error(created.message)
    const result = await service.test(created.value.id)
    expect(result).toMatchObject({ ok: true, value: { ok: false, status: null, error: expect.stringContaining('loopback') } })
    expect(canary.connections).toBe(0)
    await service.close()
  })

  it('does not follow a redirect to a private address', async () => {
    const allowedHost = await startReceiver('127.0.0.1', () => ({ status: 307, headers: { Location: 'http://10.0.0.1/' } }))
    const { service } = await testService({ allowPrivate: [`127.0.0.1/32`] })
    const created = await service.create({ name: 'redirector', url: allowedHost.url })
    if (!created.ok) throw new Error(created.message)
    await service.enqueue(sampleJob(created.value.id))
    await service.tick()
    const list = await service.deliveries(created.value.id)
    expect(list).toMatchObject({ ok: true, value: [{ status: 'dead', history: [{ status: 307, error: 'HTTP 307: redirect to http://10.0.0.1/ not followed' }] }] })
    expect(allowedHost.requests).toHaveLength(1)
    await service.close()
    await allowedHost.close()
  })

  it('control: with the range allowed, the same forms reach the canary, Host kept as the name', async () => {
    const { service } = await testService({ allowPrivate: ['127.0.0.0/8'] })
    for (const [i, url] of [`http://localhost:${canary.port}/x`, `http://0x7f000001:${canary.port}/y`].entries()) {
      const created = await service.create({ name: `ok ${i}`, url })
      if (!created.ok) throw new Error(created.message)
      await service.enqueue(sampleJob(created.value.id, { id: `ok${i}` }))
      await service.tick()
    }
    expect(canary.requests.map((r) => [r.url, r.headers.host])).toEqual([
      ['/x', `localhost:${canary.port}`],
      ['/y', `127.0.0.1:${canary.port}`],
    ])
    await service.close()
  })
})
