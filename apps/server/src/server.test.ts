import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Analytics } from '@segment/analytics-node'
import { loadExample, WebhookSink } from '@switchyard/testkit'
import { http, liveServers, until } from '../test/live'
import { boot } from './boot'
import { loadConfig, ConfigError } from './config'
import { silentLogger } from './log'

const servers = liveServers()
const start = (env: Record<string, string> = {}) => servers.start(env)
let sink = new WebhookSink()
beforeEach(() => {
  sink = new WebhookSink()
})
afterEach(() => sink.stop())

/** A configured webhook that posts to a local receiver. */
async function webhookTo(base: string, receiver: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await http(base, 'POST', '/api/webhooks', { name: 'Call centre', url: `${receiver}/hook`, encoding: 'form', ...extra })
  if (res.status !== 201) throw new Error(JSON.stringify(res.json))
  return res.json.id
}

describe('a real listening server', () => {
  it('runs the Netcore journey from HTTP calls to a timeline and stats read over HTTP', async () => {
    const { url } = await start({ WORKSPACE: 'acme' })
    const receiver = await sink.start()
    const hookId = await webhookTo(url, receiver)
    const { id } = (await http(url, 'POST', '/api/journeys', loadExample('netcore-cart-rcs', hookId))).json
    expect((await http(url, 'POST', `/api/journeys/${id}/publish`)).json.version).toBe(1)
    await http(url, 'POST', '/v1/identify', { userId: 'ann', traits: { FIRSTNAME: 'Ann' } })
    await http(url, 'POST', '/v1/track', { userId: 'ann', event: 'add_to_cart', messageId: 'evt-1' })
    const waiting = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/ann`),
      (r) => r.json.runs[0]?.currentNodeId === 'wait',
    )
    const msg = waiting.json.runs[0].history.find((h: { kind: string }) => h.kind === 'message').messageId
    await http(url, 'POST', '/v1/activity', { userId: 'ann', channel: 'rcs', status: 'clicked', messageId: msg })
    const done = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/ann`),
      (r) => r.json.runs[0]?.status === 'completed',
    )
    // Steps of the path; send results and delivery attempts (no outlet) are appended as they happen.
    const steps = done.json.runs[0].history.filter((h: { kind: string; outlet: string | null }) => h.outlet !== null || !['message', 'webhook'].includes(h.kind))
    expect(steps.map((h: { kind: string }) => h.kind)).toEqual(['entered', 'message', 'entered', 'event', 'webhook', 'completed'])
    const sent = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/ann`),
      (r) => r.json.runs[0].history.some((h: { kind: string; detail: { status?: string } | null }) => h.kind === 'message' && h.detail?.status === 'sent'),
    )
    expect(sent.json.runs[0].history.find((h: { detail: { status?: string } | null }) => h.detail?.status === 'sent').detail.rendered).toMatchObject({ channel: 'rcs', fields: { text: 'Ann, your cart is waiting' } })
    const stats = (await http(url, 'GET', `/api/journeys/${id}/stats`)).json
    expect(stats.nodes.wait).toEqual({ label: 'Wait for event', entered: 1, active: 0, outlets: { matched: 1 } })

    // The call centre receives the Netcore activity item, form-encoded, signed by delivery id.
    await sink.waitFor(1)
    const [req] = sink.received
    expect(req?.headers['content-type']).toContain('application/x-www-form-urlencoded')
    const data = JSON.parse(new URLSearchParams(req?.body ?? '').get('data') ?? '{}')
    expect(data.acme[0]).toMatchObject({ channel: expect.any(String), msgid: msg, journey_name: 'Cart abandoners: RCS nudge, call centre on click', custom_params: { Action: 'RCS Click' } })
    expect(req?.headers['webhook-id']).toBeTruthy()
    const withAttempt = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/ann`),
      (r) => r.json.runs[0].history.some((h: { kind: string; detail: { status?: number } | null }) => h.kind === 'webhook' && h.detail?.status === 200),
    )
    expect(withAttempt.json.runs[0].history.at(-1)).toMatchObject({ kind: 'webhook', nodeId: 'hook', detail: { status: 200, attempt: 1 } })
  })

  it('accepts identify and track calls from the official Segment Node client, which start a journey', async () => {
    const { url } = await start({ WRITE_KEY: 'wk_test_key' })
    const hookId = await webhookTo(url, await sink.start())
    const { id } = (await http(url, 'POST', '/api/journeys', loadExample('actions-with-user-properties', hookId))).json
    await http(url, 'POST', `/api/journeys/${id}/publish`)
    const analytics = new Analytics({ writeKey: 'wk_test_key', host: url, flushAt: 2, maxRetries: 0 })
    const errors: unknown[] = []
    analytics.on('error', (e) => errors.push(e))
    analytics.identify({ userId: 'ann', traits: { country: 'Canada', email: 'ann@example.com' } })
    analytics.track({ userId: 'ann', event: 'Charged', properties: { amount: 42 } })
    await analytics.closeAndFlush({ timeout: 10_000 })
    expect(errors).toEqual([])
    const runs = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/ann`),
      (r) => r.json.runs?.[0]?.status === 'completed',
    )
    expect(runs.json.runs[0].history[0].detail).toEqual({ event: 'Charged', properties: { amount: 42 } })
  })

  it('refuses Segment calls with the wrong write key', async () => {
    const { url } = await start({ WRITE_KEY: 'wk_test_key' })
    const res = await http(url, 'POST', '/v1/batch', { batch: [{ type: 'track', userId: 'a', event: 'x' }] }, { authorization: `Basic ${Buffer.from('other:').toString('base64')}` })
    expect(res).toMatchObject({ status: 401, json: { error: { code: 'auth.invalid_write_key' } } })
  })

  it('keeps every accepted event across a graceful stop and a new start on the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-restart-'))
    const env = { PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'switchyard.db')}`, ALLOW_PRIVATE_TARGETS: '127.0.0.0/8' }
    let r = await boot(loadConfig(env), silentLogger)
    const hookId = await webhookTo(r.url, await sink.start())
    const { id } = (await http(r.url, 'POST', '/api/journeys', loadExample('single-action', hookId))).json
    await http(r.url, 'POST', `/api/journeys/${id}/publish`)
    const sends = Array.from({ length: 50 }, (_, i) => http(r.url, 'POST', '/v1/track', { userId: `u${i}`, event: 'App Launched', messageId: `m${i}` }))
    const answers = await Promise.all(sends)
    await r.stop()
    expect(answers.every((a) => a.status === 200)).toBe(true)
    r = await boot(loadConfig(env), silentLogger)
    servers.onCleanup(() => r.stop())
    const head = await until(() => r.engine.lag(), (l) => l.pending === 0)
    expect(head.pending).toBe(0)
    const stats = (await http(r.url, 'GET', `/api/journeys/${id}/stats`)).json
    expect(stats.nodes.t.entered).toBe(50)
    // Deliveries due together go out batched: 50 activity items, each user once.
    const items = () => sink.received.flatMap((q) => JSON.parse(new URLSearchParams(q.body).get('data') ?? '{}').default ?? [])
    await until(async () => items(), (all) => all.length >= 50)
    expect(new Set(items().map((i: { foreignkey?: string; event_params?: { foreignkey?: string } }) => i.event_params?.foreignkey ?? i.foreignkey)).size).toBe(50)
  })
})

describe('configuration', () => {
  it('refuses a non-loopback HOST without both tokens', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError)
    expect(() => loadConfig({ HOST: '0.0.0.0', ADMIN_TOKEN: 'a' })).toThrow(/WRITE_KEY/)
    expect(loadConfig({ HOST: '0.0.0.0', ADMIN_TOKEN: 'a', WRITE_KEY: 'b' }).host).toBe('0.0.0.0')
    expect(loadConfig({}).host).toBe('127.0.0.1')
    expect(loadConfig({}).sqlitePath.endsWith('data/switchyard.db')).toBe(true)
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/)
  })

  it('reads the database kind, the role and the partitions, and refuses what cannot work', () => {
    expect(loadConfig({})).toMatchObject({ database: 'sqlite', role: 'both', partitions: 64 })
    const pg = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/app', ROLE: 'Worker', PARTITIONS: '16' })
    expect(pg).toMatchObject({ database: 'postgres', role: 'worker', partitions: 16 })
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).database).toBe('postgres')
    expect(() => loadConfig({ ROLE: 'api' })).toThrow(/ROLE=api needs a database several processes can share/)
    expect(() => loadConfig({ DATABASE_URL: 'postgres://h/db', ROLE: 'cook' })).toThrow(/ROLE must be api/)
    expect(() => loadConfig({ DATABASE_URL: 'postgres://h/db', PARTITIONS: '0' })).toThrow(/PARTITIONS/)
    // A password in a URL of the wrong kind is not repeated back.
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@h/db' })).toThrow(/sqlite:<path> or postgres:\/\/.*mysql:\/\/root:\*\*\*@h\/db/)
  })
})
