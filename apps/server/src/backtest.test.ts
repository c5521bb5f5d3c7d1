import { describe, expect, it } from 'vitest'
import { action, condition, days, edge, exit, graph, trigger, waitActivity, webhook } from '@switchyard/testkit'
import { testApp, type TestApp } from '../test/harness'

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

/**
 * Live traffic over HTTP on the fake clock: 30 users, two in three in India, carts spread over
 * 10 hours, every third Indian user opening the email, some buying; then the clock runs past
 * every timeout. Answers the window it covered.
 */
async function liveTraffic(): Promise<{ t: TestApp; id: string; hookId: string; from: string; to: string }> {
  const t = await testApp({ withWebhooks: true })
  const hookId: string = (await t.request('POST', '/api/webhooks', { name: 'CRM', url: 'https://crm.example.com/hook', encoding: 'json' })).json.id
  const id: string = (await t.request('POST', '/api/journeys', { name: 'Carts', graph: cartGraph(hookId), settings: { reentry: 'afterExit', goal: { event: 'purchase', within: days(2) } } })).json.id
  expect((await t.request('POST', `/api/journeys/${id}/publish`)).status).toBe(200)
  const from = new Date(t.clock.now()).toISOString()
  const identify = USERS.map((userId, i) => ({ type: 'identify', userId, traits: { name: userId, email: `${userId}@example.com`, country: i % 3 === 2 ? 'FR' : 'IN' } }))
  expect((await t.request('POST', '/v1/batch', { batch: identify })).status).toBe(200)
  for (const [i, userId] of USERS.entries()) {
    t.clock.advance(20 * 60_000)
    await t.request('POST', '/v1/track', { userId, event: 'add_to_cart', messageId: `cart-${userId}` })
    await t.dispatch()
    if (i % 3 === 0) {
      const run = (await t.request('GET', `/api/journeys/${id}/users/${userId}`)).json.runs[0]
      const messageId = run.history.find((h: { kind: string }) => h.kind === 'message').messageId
      t.clock.advance(60_000)
      expect((await t.request('POST', '/v1/activity', { userId, channel: 'email', status: 'opened', messageId })).status).toBe(200)
      await t.dispatch()
    }
    if (i % 4 === 1) await t.request('POST', '/v1/track', { userId, event: 'purchase', messageId: `buy-${userId}` })
  }
  t.clock.advance(2 * 24 * HOUR)
  await t.dispatch()
  const to = new Date(t.clock.now()).toISOString()
  // After the window: a user moves abroad. The backtest reads the traits the journal had then.
  t.clock.advance(HOUR)
  await t.request('POST', '/v1/identify', { userId: 'u00', traits: { country: 'FR' } })
  await t.dispatch()
  return { t, id, hookId, from, to }
}

describe('POST /api/journeys/:id/backtest', () => {
  it('replays the window through the graph that was live and counts exactly what really happened', async () => {
    const { t, id, from, to } = await liveTraffic()
    const live = (await t.request('GET', `/api/journeys/${id}/stats`)).json
    expect(live.nodes.india.outlets).toEqual({ yes: 20, no: 10 })
    expect(live.nodes.wait.outlets).toEqual({ matched: 10, timeout: 10 })

    const res = await t.request('POST', `/api/journeys/${id}/backtest`, { from, to })
    expect(res.status).toBe(200)
    expect(res.json.stats.nodes).toEqual(live.nodes)
    expect(res.json.stats.journey).toEqual(live.journey)
    expect(res.json.stats.journey.converted).toBeGreaterThan(0)
    expect(res.json.effects).toEqual({ mail: { messages: 20, webhooks: 0 }, crm: { messages: 0, webhooks: 10 } })
    // 30 identifies, 30 carts, 10 opens, 8 purchases: the dispatcher's own `email.sent` reports are not replayed.
    expect(res.json.replayed).toEqual({ events: 78, users: 30, from, to })

    // Nothing live moved: the same stats, the same journal head.
    const head = (await t.engine.lag()).journalHead
    expect((await t.request('GET', `/api/journeys/${id}/stats`)).json).toEqual(live)
    expect((await t.engine.lag()).journalHead).toBe(head)
  })

  it('shows how a changed draft would have done on the same traffic', async () => {
    const { t, id, hookId, from, to } = await liveTraffic()
    // The draft targets France instead: the 10 French users get the email, and none of them opened one.
    await t.request('PUT', `/api/journeys/${id}`, { graph: cartGraph(hookId, 'FR') })
    const res = await t.request('POST', `/api/journeys/${id}/backtest`, { from, to })
    expect(res.status).toBe(200)
    expect(res.json.stats.nodes.india.outlets).toEqual({ yes: 10, no: 20 })
    expect(res.json.stats.nodes.wait.outlets).toEqual({ timeout: 10 })
    expect(res.json.effects).toEqual({ mail: { messages: 10, webhooks: 0 } })
    // The live journey kept its own figures.
    expect((await t.request('GET', `/api/journeys/${id}/stats`)).json.nodes.india.outlets).toEqual({ yes: 20, no: 10 })
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
