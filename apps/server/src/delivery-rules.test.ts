import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Engine, SqliteEngineStore, openDatabase } from '@switchyard/engine'
import { createChannelService } from '@switchyard/channels'
import { createSecretBox } from '@switchyard/secrets'
import type { JourneySettingsInput } from '@switchyard/schema'
import { action, edge, exit, FakeClock, graph, journeyInput, trigger } from '@switchyard/testkit'
import { OutboxDispatcher } from './dispatch'
import { channelsIntegration } from './integrations/channels'
import { silentLogger } from './log'

const HOUR = 3_600_000

/** Engine, sandbox channel and dispatcher on one database and one fake clock: no sleeps. */
async function setup(settings: JourneySettingsInput, at: string) {
  const clock = new FakeClock(Date.parse(at))
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'sy-rules-')), 'db.sqlite'))
  const engine = await Engine.open({ store: new SqliteEngineStore(db, clock.now()), clock })
  const channels = createChannelService({ db, secretBox: createSecretBox('a-test-secret-key-0123'), clock })
  const integration = channelsIntegration(channels, engine)
  const dispatcher = new OutboxDispatcher(engine, integration.outbox ?? {}, silentLogger)
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
    expect(t.channels.messages.list({ userId: 'ann' })).toEqual([])
    // 07:59 local: still quiet.
    t.clock.set(Date.parse('2026-03-03T02:29:00Z'))
    await t.dispatcher.drain()
    expect(t.channels.messages.list({ userId: 'ann' })).toEqual([])
    // 08:00 local: sent.
    t.clock.set(Date.parse('2026-03-03T02:30:00Z'))
    await t.dispatcher.drain()
    expect(t.channels.messages.list({ userId: 'ann' })).toHaveLength(1)
    expect(await t.statuses('ann')).toEqual(['sent'])
  })

  it('skips a message due at night when the journey says skip, and records why', async () => {
    const t = await setup({ quietHours: { start: '22:00', end: '08:00', behaviour: 'skip', defaultTimezone: 'UTC' } }, '2026-03-02T23:00:00Z')
    await t.browse('bob')
    await t.dispatcher.drain()
    expect(t.channels.messages.list({ userId: 'bob' })).toEqual([])
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
    expect(t.channels.messages.list({ userId: 'cid' })).toHaveLength(2)
    expect((await t.statuses('cid')).sort()).toEqual(['sent', 'sent', 'skipped'])
    t.clock.advance(24 * HOUR)
    await t.browse('cid')
    await t.dispatcher.drain()
    expect(t.channels.messages.list({ userId: 'cid' })).toHaveLength(3)
  })
})
