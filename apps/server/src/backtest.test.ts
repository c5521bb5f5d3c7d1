import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { action, condition, days, edge, exit, FakeClock, graph, trigger, waitActivity, webhook, WebhookSink } from '@switchyard/testkit'
import { testApp } from '../test/harness'
import { http, until } from '../test/live'
import { boot } from './boot'
import { loadConfig } from './config'
import { silentLogger } from './log'

let sink = new WebhookSink()
const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop()
  await sink.stop()
  sink = new WebhookSink()
})

const HOUR = 3_600_000
const USERS = Array.from({ length: 30 }, (_, i) => `u${String(i).padStart(2, '0')}`)

/** Cart -> Indian users get an email -> opened within a day -> CRM webhook; others leave. Goal: a purchase within 2 days. */
function cartGraph(hookId: string, country = 'IN') {
  return graph(
    [
      trigger('t', 'add_to_cart'),
      condition('india', { path: 'user.traits.country', op: 'eq', value: country }),
      action('mail', 'email', { subject: 'Your cart, {{ user.traits.name }}', body: 'Still there.' }),
      waitActivity('wait', 'opened', days(1)),
      webhook('crm', hookId),
      exit('done'),
      exit('late'),
      exit('other'),
    ],
    [
      edge('t', 'next', 'india'),
      edge('india', 'yes', 'mail'),
      edge('india', 'no', 'other'),
      edge('mail', 'next', 'wait'),
      edge('wait', 'matched', 'crm'),
      edge('wait', 'timeout', 'late'),
      edge('crm', 'next', 'done'),
    ],
  )
}

/** A real listening server on a fake clock, with a real receiver for the CRM webhook. */
async function liveServer() {
  const clock = new FakeClock(Date.parse('2026-04-06T08:00:00Z'))
  const dir = mkdtempSync(join(tmpdir(), 'sy-backtest-'))
  const running = await boot(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ALLOW_PRIVATE_TARGETS: '127.0.0.0/8', WORKSPACE: 'acme' }), silentLogger, clock)
  const receiver = await sink.start()
  stops.push(() => running.stop())
  const call = (method: string, path: string, body?: unknown) => http(running.url, method, path, body)
  /** Everything accepted is applied and every message handed to its provider (the loops run in the background). */
  const settled = async () => {
    await until(
      async () => {
        await running.engine.runUntilIdle()
        return (await running.engine.lag()).pending === 0 && (await running.engine.pending()).outbox === 0
      },
      (done) => done,
    )
    await running.engine.runUntilIdle()
  }
  return { clock, running, receiver, call, settled }
}

/**
 * Live traffic over real HTTP on the fake clock: 30 users, two in three in India, carts spread
 * over 10 hours, every third Indian user opening the email, some buying; then the clock runs
 * past every timeout. Answers the window it covered.
 */
async function liveTraffic() {
  const live = await liveServer()
  const { clock, call, settled } = live
  const hookId: string = (await call('POST', '/api/webhooks', { name: 'CRM', url: `${live.receiver}/crm`, encoding: 'json' })).json.id
  const id: string = (await call('POST', '/api/journeys', { name: 'Carts', graph: cartGraph(hookId), settings: { reentry: 'afterExit', goal: { event: 'purchase', within: days(2) } } })).json.id
  expect((await call('POST', `/api/journeys/${id}/publish`)).status).toBe(200)
  const from = new Date(clock.now()).toISOString()
  const identify = USERS.map((userId, i) => ({ type: 'identify', userId, traits: { name: userId, email: `${userId}@example.com`, country: i % 3 === 2 ? 'FR' : 'IN' } }))
  expect((await call('POST', '/v1/batch', { batch: identify })).status).toBe(200)
  for (const [i, userId] of USERS.entries()) {
    clock.advance(20 * 60_000)
    await call('POST', '/v1/track', { userId, event: 'add_to_cart', messageId: `cart-${userId}` })
    await settled()
    if (i % 3 === 0) {
      const run = (await call('GET', `/api/journeys/${id}/users/${userId}`)).json.runs[0]
      const messageId = run.history.find((h: { kind: string }) => h.kind === 'message').messageId
      clock.advance(60_000)
      expect((await call('POST', '/v1/activity', { userId, channel: 'email', status: 'opened', messageId })).status).toBe(200)
      await settled()
    }
    if (i % 4 === 1) await call('POST', '/v1/track', { userId, event: 'purchase', messageId: `buy-${userId}` })
  }
  clock.advance(2 * 24 * HOUR)
  await settled()
  const to = new Date(clock.now()).toISOString()
  // After the window: a user moves abroad. The backtest reads the traits the journal had then.
  clock.advance(HOUR)
  await call('POST', '/v1/identify', { userId: 'u00', traits: { country: 'FR' } })
  await settled()
  // The CRM got the 10 live deliveries: the traffic was real.
  await sink.waitFor(10)
  return { ...live, id, hookId, from, to }
}

describe('POST /api/journeys/:id/backtest', () => {
  it('replays the window through the graph that was live and counts exactly what really happened', async () => {
    const { call, running, id, from, to } = await liveTraffic()
    const live = (await call('GET', `/api/journeys/${id}/stats`)).json
    expect(live.nodes.india.outlets).toEqual({ yes: 20, no: 10 })
    expect(live.nodes.wait.outlets).toEqual({ matched: 10, timeout: 10 })

    const res = await call('POST', `/api/journeys/${id}/backtest`, { from, to })
    expect(res.status).toBe(200)
    // Live stats add each message step's delivery figures (providers' receipts, which a backtest
    // does not replay): the counts of the journey itself are the same.
    expect(live.nodes.mail.messages).toMatchObject({ sent: 20, delivered: 10, opened: 10, clicked: 0, failed: 0, bounced: 0 })
    const { messages: _deliveries, ...mail } = live.nodes.mail
    expect(res.json.stats.nodes).toEqual({ ...live.nodes, mail })
    expect(res.json.stats.journey).toEqual(live.journey)
    expect(res.json.stats.journey.converted).toBeGreaterThan(0)
    expect(res.json.effects).toEqual({ mail: { messages: 20, webhooks: 0 }, crm: { messages: 0, webhooks: 10 } })
    // 30 identifies, 30 carts, 10 opens, 8 purchases: the dispatcher's own `email.sent` reports are not replayed.
    expect(res.json.replayed).toEqual({ events: 78, users: 30, from, to })

    // Nothing live moved: the same stats, the same journal head, no more deliveries.
    const head = (await running.engine.lag()).journalHead
    expect((await call('GET', `/api/journeys/${id}/stats`)).json).toEqual(live)
    expect((await running.engine.lag()).journalHead).toBe(head)
    expect(sink.received).toHaveLength(10)
  })

  it('shows how a changed draft would have done on the same traffic', async () => {
    const { call, id, hookId, from, to } = await liveTraffic()
    // The draft targets France instead: the 10 French users get the email, and none of them opened one.
    await call('PUT', `/api/journeys/${id}`, { graph: cartGraph(hookId, 'FR') })
    const res = await call('POST', `/api/journeys/${id}/backtest`, { from, to })
    expect(res.status).toBe(200)
    expect(res.json.stats.nodes.india.outlets).toEqual({ yes: 10, no: 20 })
    expect(res.json.stats.nodes.wait.outlets).toEqual({ timeout: 10 })
    expect(res.json.effects).toEqual({ mail: { messages: 10, webhooks: 0 } })
    // The live journey kept its own figures.
    expect((await call('GET', `/api/journeys/${id}/stats`)).json.nodes.india.outlets).toEqual({ yes: 20, no: 10 })
  })

  it('refuses a window it cannot replay with a 400 that says what to change', async () => {
    const t = await testApp()
    const id: string = (await t.request('POST', '/api/journeys', { name: 'x', graph: { nodes: [], edges: [] } })).json.id
    const backwards = await t.request('POST', `/api/journeys/${id}/backtest`, { from: '2026-02-02T00:00:00Z', to: '2026-02-01T00:00:00Z' })
    expect([backwards.status, backwards.json.error.code]).toEqual([400, 'backtest.invalid_window'])
    expect(backwards.json.error.message).toContain('must come after')
    const long = await t.request('POST', `/api/journeys/${id}/backtest`, { from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' })
    expect(long.json.error).toMatchObject({ code: 'backtest.invalid_window', message: expect.stringContaining('at most 31 days') })
    const missing = await t.request('POST', `/api/journeys/${id}/backtest`, { from: '2026-01-01' })
    expect(missing.json.error.code).toBe('body.invalid')
    const empty = await t.request('POST', `/api/journeys/${id}/backtest`, { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' })
    expect(empty.status).toBe(422)
    expect(empty.json.error.code).toBe('journey.invalid')
  })
})
