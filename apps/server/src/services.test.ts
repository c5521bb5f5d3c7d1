import { afterAll, describe, expect, it } from 'vitest'
import { DEFAULT_PARTITIONS, Engine, PgEngineStore, everyPartition } from '@switchyard/engine'
import { createSecretBox } from '@switchyard/secrets'
import { postgresPerFile } from '@switchyard/storage/testing'
import { action, edge, exit, FakeClock, graph, journeyInput, trigger, webhook } from '@switchyard/testkit'
import { createApp } from './app'
import { outboxRelay } from './relay'
import { silentLogger } from './log'
import { Metrics } from './metrics'
import { RouteRegistry } from './openapi'
import { createServices } from './services'
import type { TestApp } from '../test/harness'

/**
 * The webhooks and channels services built from a PostgreSQL backend, behind the real routes, with
 * the engine on the same database (the relay commits their rows in its settlement's transaction).
 */
describe('services on a PostgreSQL backend', () => {
  const pg = postgresPerFile('server-services')
  const stops: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const stop of stops) await stop()
  })

  it('configures providers and webhooks, sends, takes receipts and counts a step’s messages from PostgreSQL', async () => {
    const clock = new FakeClock()
    const engine = await Engine.open({ store: await PgEngineStore.open(pg.pool, clock.now(), { scope: everyPartition(DEFAULT_PARTITIONS) }), clock, workspace: 'acme' })
    const metrics = new Metrics()
    const { integrations, handlers, webhooks } = await createServices({
      backend: { kind: 'postgres', pool: pg.pool, url: pg.url },
      engine,
      secretBox: createSecretBox('test-secret-key-0123456789'),
      clock,
      workspace: 'acme',
      allowPrivateTargets: [],
      metrics,
      log: silentLogger,
    })
    stops.push(() => webhooks.close())
    const app = createApp({ engine, config: { adminToken: null, writeKey: null, workspace: 'acme', webDist: '/nonexistent' }, metrics, log: silentLogger, registry: new RouteRegistry(), integrations, version: 'test' })
    const dispatcher = outboxRelay(engine, handlers, silentLogger)
    const request: TestApp['request'] = async (method, path, body) => {
      const res = await app.request(path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
      const text = await res.text()
      return { status: res.status, json: JSON.parse(text), text }
    }

    const provider = await request('POST', '/api/channels', { name: 'Mail', channel: 'email', kind: 'sandbox', config: {} })
    expect(provider.status).toBe(201)
    const hook = await request('POST', '/api/webhooks', { name: 'CRM', url: 'https://crm.example.com/hooks', events: ['journey.published', 'track:Signed Up'] })
    expect(hook.status).toBe(201)
    // Publishing checks the step's provider and webhook against the stores on PostgreSQL.
    const flow = graph(
      [trigger('t', 'Signed Up'), { ...action('mail', 'email', {}), data: { channel: 'email', message: { subject: 'Hi', body: 'Hi' }, providerId: provider.json.id } }, webhook('hook', hook.json.id), exit('done')],
      [edge('t', 'next', 'mail'), edge('mail', 'next', 'hook'), edge('hook', 'next', 'done')],
    )
    const { id } = (await request('POST', '/api/journeys', journeyInput('Welcome', flow))).json
    expect((await request('POST', `/api/journeys/${id}/publish`)).status).toBe(200)
    for (const userId of ['ann', 'bob']) {
      await request('POST', '/v1/identify', { userId, traits: { email: `${userId}@example.test` } })
      await request('POST', '/v1/track', { userId, event: 'Signed Up' })
    }
    await engine.runUntilIdle()
    await dispatcher.drain()
    await engine.runUntilIdle()

    const messages = (await request('GET', '/api/channels/messages?userId=ann')).json.messages
    expect(messages).toMatchObject([{ userId: 'ann', channel: 'email', status: 'sent', providerId: provider.json.id }])
    expect((await request('POST', '/v1/activity', { messageId: messages[0].id, userId: 'ann', channel: 'email', status: 'opened' })).status).toBe(200)
    const stats = (await request('GET', `/api/journeys/${id}/stats`)).json
    expect(stats.nodes.mail.messages).toEqual({ sent: 2, delivered: 1, opened: 1, clicked: 0, failed: 0, bounced: 0, noAddress: 0 })

    // The journey's published event, two tracked sign-ups and two journey deliveries, queued on PostgreSQL.
    const deliveries = (await request('GET', `/api/webhooks/${hook.json.id}/deliveries`)).json.deliveries
    expect(deliveries.map((d: { source: string }) => d.source).sort()).toEqual(['account', 'account', 'account', 'journey', 'journey'])
    const rows = await pg.pool.query('SELECT (SELECT count(*) FROM channel_messages) AS messages, (SELECT count(*) FROM webhook_deliveries) AS deliveries')
    expect(rows.rows[0]).toEqual({ messages: 2, deliveries: 5 })
  })
})
