import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Engine, SqliteEngineStore, openDatabase, type OutboxRelay } from '@switchyard/engine'
import { createChannelService } from '@switchyard/channels'
import { createSecretBox } from '@switchyard/secrets'
import type { JourneySettingsInput } from '@switchyard/schema'
import { createWebhookService } from '@switchyard/webhooks'
import { action, edge, exit, FakeClock, graph, journeyInput, trigger, webhook, WebhookSink } from '@switchyard/testkit'
import { outboxRelay } from './relay'
import { channelsIntegration } from './integrations/channels'
import { webhooksIntegration } from './integrations/webhooks'
import { silentLogger } from './log'
import { Metrics } from './metrics'

const HOUR = 3_600_000

/** Engine, sandbox channel and dispatcher on one database and one fake clock: no sleeps. */
async function setup(settings: JourneySettingsInput, at: string) {
  const clock = new FakeClock(Date.parse(at))
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'sy-rules-')), 'db.sqlite'))
  const engine = await Engine.open({ store: new SqliteEngineStore(db, clock.now()), clock })
  const channels = await createChannelService({ backend: { kind: 'sqlite', db }, secretBox: createSecretBox('a-test-secret-key-0123'), clock })
  const integration = channelsIntegration(channels, engine)
  const dispatcher = outboxRelay(engine, integration.outbox ?? {}, silentLogger)
  const j = await engine.createJourney(
    journeyInput('Promo', graph([trigger('t', 'Browsed'), action('m', 'sms', { text: 'Sale!' }), exit('x')], [edge('t', 'next', 'm'), edge('m', 'next', 'x')]), { reentry: 'always', ...settings }),
  )
  await engine.publish(j.id)
  const browse = async (userId: string) => {
    const now = clock.now()
    await engine.ingest([{ messageId: `b-${userId}-${now}`, type: 'track', userId, event: 'Browsed', properties: {}, timestamp: now, receivedAt: now }])
    await engine.runUntilIdle()
  }
  const statuses = async (userId: string) =>
    (await engine.userRuns(j.id, userId)).flatMap((r) => r.history.filter((h) => h.kind === 'message' && h.outlet === null).map((h) => String(h.detail?.status)))
  return { clock, engine, channels, dispatcher, browse, statuses, journeyId: j.id }
}

describe('quiet hours', () => {
  it('holds a message due at night in the user’s timezone until the window ends', async () => {
    // 23:30 in Kolkata is 18:00 UTC.
    const t = await setup({ quietHours: { start: '22:00', end: '08:00', behaviour: 'hold' } }, '2026-03-02T18:00:00Z')
    await t.engine.ingest([{ messageId: 'id-1', type: 'identify', userId: 'ann', traits: { timezone: 'Asia/Kolkata' }, timestamp: t.clock.now(), receivedAt: t.clock.now() }])
    await t.browse('ann')
    await t.dispatcher.drain()
    expect(await t.channels.messages.list({ userId: 'ann' })).toEqual([])
    // 07:59 local: still quiet.
    t.clock.set(Date.parse('2026-03-03T02:29:00Z'))
    await t.dispatcher.drain()
    expect(await t.channels.messages.list({ userId: 'ann' })).toEqual([])
    // 08:00 local: sent.
    t.clock.set(Date.parse('2026-03-03T02:30:00Z'))
    await t.dispatcher.drain()
    expect(await t.channels.messages.list({ userId: 'ann' })).toHaveLength(1)
    expect(await t.statuses('ann')).toEqual(['held', 'sent'])
    const [run] = await t.engine.userRuns(t.journeyId, 'ann')
    expect(run?.history.find((h) => h.detail?.status === 'held')).toMatchObject({ outlet: null, detail: { rule: 'quietHours', until: '2026-03-03T02:30:00.000Z', reason: expect.stringContaining('Asia/Kolkata') } })
  })

  it('skips a message due at night when the journey says skip, and records why', async () => {
    const t = await setup({ quietHours: { start: '22:00', end: '08:00', behaviour: 'skip', defaultTimezone: 'UTC' } }, '2026-03-02T23:00:00Z')
    await t.browse('bob')
    await t.dispatcher.drain()
    expect(await t.channels.messages.list({ userId: 'bob' })).toEqual([])
    expect(await t.statuses('bob')).toEqual(['skipped'])
    expect(await t.engine.claimOutbox('message', 10)).toEqual([])
  })
})

describe('frequency caps', () => {
  it('sends at most the cap per period on a channel, skipping the rest with a reason', async () => {
    const t = await setup({ frequencyCaps: [{ channel: 'sms', max: 2, per: { amount: 1, unit: 'days' } }] }, '2026-03-02T12:00:00Z')
    for (let i = 0; i < 3; i++) {
      await t.browse('cid')
      await t.dispatcher.drain()
      t.clock.advance(HOUR)
    }
    expect(await t.channels.messages.list({ userId: 'cid' })).toHaveLength(2)
    expect((await t.statuses('cid')).sort()).toEqual(['sent', 'sent', 'skipped'])
    t.clock.advance(24 * HOUR)
    await t.browse('cid')
    await t.dispatcher.drain()
    expect(await t.channels.messages.list({ userId: 'cid' })).toHaveLength(3)
  })
})

/** A webhook campaign (the webhook is the message) to a real local receiver, on the fake clock. */
async function webhookSetup(settings: JourneySettingsInput, at: string) {
  const clock = new FakeClock(Date.parse(at))
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'sy-rules-')), 'db.sqlite'))
  const open = async () => Engine.open({ store: new SqliteEngineStore(db, clock.now()), clock, workspace: 'acme' })
  const engine = await open()
  const sink = new WebhookSink()
  sinks.push(sink)
  const webhooks = await createWebhookService({ backend: { kind: 'sqlite', db }, secretBox: createSecretBox('a-test-secret-key-0123'), clock, workspace: 'acme', allowPrivate: ['127.0.0.0/8'] })
  const created = await webhooks.create({ name: 'Call centre', url: `${await sink.start()}/hook`, encoding: 'json' })
  if (!created.ok) throw new Error(created.message)
  const dispatcherOf = (e: Engine) => outboxRelay(e, webhooksIntegration(webhooks, e, new Metrics()).outbox ?? {}, silentLogger)
  const j = await engine.createJourney(
    journeyInput('Cart webhook', graph([trigger('t', 'add_to_cart'), webhook('hook', created.value.id), exit('x')], [edge('t', 'next', 'hook'), edge('hook', 'next', 'x')]), { reentry: 'always', ...settings }),
  )
  await engine.publish(j.id)
  const addToCart = async (userId: string) => {
    const now = clock.now()
    await engine.ingest([{ messageId: `c-${userId}-${now}`, type: 'track', userId, event: 'add_to_cart', properties: {}, timestamp: now, receivedAt: now }])
    await engine.runUntilIdle()
  }
  /** The dispatcher's pass, then the webhook service's: what is due now leaves. */
  const deliver = async (dispatcher: OutboxRelay) => {
    await dispatcher.drain()
    await webhooks.tick()
  }
  const outcomes = async (userId: string) => (await engine.userRuns(j.id, userId)).flatMap((r) => r.history.filter((h) => h.kind === 'webhook' && h.outlet === null))
  return { clock, db, engine, open, sink, webhooks, dispatcher: dispatcherOf(engine), dispatcherOf, addToCart, deliver, outcomes, journeyId: j.id }
}

const sinks: WebhookSink[] = []
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.stop()))
})

describe('journey webhook nodes', () => {
  it('are not sent to a control-group user, whose run passes the node with a skipped outcome row', async () => {
    const t = await webhookSetup({ controlGroupPercent: 100 }, '2026-03-02T12:00:00Z')
    await t.addToCart('ann')
    await t.deliver(t.dispatcher)
    const [run] = await t.engine.userRuns(t.journeyId, 'ann')
    expect(run?.status).toBe('completed')
    expect(await t.outcomes('ann')).toMatchObject([{ nodeId: 'hook', detail: { status: 'skipped', rule: 'controlGroup' } }])
    expect(t.sink.received).toEqual([])
  })

  it('are held through the user’s quiet hours, durably, and sent once the clock passes the release', async () => {
    // 23:30 in Kolkata is 18:00 UTC; the window ends at 08:00 local, 02:30 UTC.
    const t = await webhookSetup({ quietHours: { start: '22:00', end: '08:00', behaviour: 'hold' } }, '2026-03-02T18:00:00Z')
    await t.engine.ingest([{ messageId: 'id-1', type: 'identify', userId: 'ann', traits: { timezone: 'Asia/Kolkata' }, timestamp: t.clock.now(), receivedAt: t.clock.now() }])
    await t.addToCart('ann')
    await t.deliver(t.dispatcher)
    expect(await t.outcomes('ann')).toMatchObject([{ nodeId: 'hook', detail: { status: 'held', rule: 'quietHours', until: '2026-03-03T02:30:00.000Z', reason: expect.stringContaining('Asia/Kolkata') } }])
    expect(t.sink.received).toEqual([])
    // A restart in between: the hold is the outbox row's due time, nothing in memory.
    const engine = await t.open()
    const dispatcher = t.dispatcherOf(engine)
    t.clock.set(Date.parse('2026-03-03T02:29:00Z'))
    await t.deliver(dispatcher)
    expect(t.sink.received).toEqual([])
    t.clock.set(Date.parse('2026-03-03T02:30:00Z'))
    await t.deliver(dispatcher)
    expect(t.sink.received).toHaveLength(1)
    expect(JSON.parse(t.sink.received[0]?.body ?? '{}').acme[0]).toMatchObject({ journey_name: 'Cart webhook', event_params: { foreignkey: 'ann' } })
    // Held once, recorded once.
    expect((await t.outcomes('ann')).filter((h) => h.detail?.status === 'held')).toHaveLength(1)
  })

  it('are skipped inside quiet hours when the journey says skip, and say why', async () => {
    const t = await webhookSetup({ quietHours: { start: '22:00', end: '08:00', behaviour: 'skip', defaultTimezone: 'UTC' } }, '2026-03-02T23:00:00Z')
    await t.addToCart('bob')
    await t.deliver(t.dispatcher)
    expect(await t.outcomes('bob')).toMatchObject([{ detail: { status: 'skipped', rule: 'quietHours', reason: expect.stringContaining('quiet hours') } }])
    expect(await t.engine.claimOutbox('webhook', 10)).toEqual([])
    t.clock.advance(12 * HOUR)
    await t.deliver(t.dispatcher)
    expect(t.sink.received).toEqual([])
  })
})
