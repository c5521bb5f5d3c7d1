import { describe, expect, it } from 'vitest'
import { BatchItem } from '@switchyard/schema'
import { plainBatchItem } from './ingest'
import { loadExample } from '@switchyard/testkit'
import { testApp } from '../test/harness'

describe('POST /v1/track, /v1/identify, /v1/batch', () => {
  it('answers success only once the event is stored, and applies it', async () => {
    const t = await testApp()
    const res = await t.request('POST', '/v1/track', { userId: 'ann', event: 'App Launched', properties: { os: 'ios' }, messageId: 'a1' })
    expect(res).toMatchObject({ status: 200, json: { success: true } })
    expect((await t.engine.lag()).journalHead).toBe(1)
  })

  it('stores a repeated messageId once', async () => {
    const t = await testApp()
    for (let i = 0; i < 3; i++) expect((await t.request('POST', '/v1/track', { userId: 'ann', event: 'x', messageId: 'same' })).status).toBe(200)
    expect((await t.engine.lag()).journalHead).toBe(1)
    expect(t.engine.counters.eventsDuplicate).toBe(2)
  })

  it('corrects the client clock by the difference between sentAt and arrival', async () => {
    const t = await testApp()
    const id = (await t.request('POST', '/api/journeys', loadExample('single-action', 'wh'))).json.id
    await t.request('POST', `/api/journeys/${id}/publish`)
    const now = t.clock.now()
    // The device clock runs one hour fast: it says it sent at now+1h an event from now+1h-5s.
    await t.request('POST', '/v1/track', {
      userId: 'ann',
      event: 'App Launched',
      timestamp: new Date(now + 3_600_000 - 5_000).toISOString(),
      sentAt: new Date(now + 3_600_000).toISOString(),
    })
    await t.engine.runUntilIdle()
    const run = (await t.request('GET', `/api/journeys/${id}/users/ann`)).json.runs[0]
    expect(run.history[0].detail).toEqual({ event: 'App Launched', properties: {} })
    const [entry] = await t.store.readJournal(0, 1)
    expect(entry?.timestamp).toBe(now - 5_000)
  })

  it('merges traits of later identifies', async () => {
    const t = await testApp()
    await t.request('POST', '/v1/identify', { userId: 'ann', traits: { FIRSTNAME: 'Ann', CITY: 'Pune' } })
    await t.request('POST', '/v1/identify', { userId: 'ann', traits: { CITY: 'Mumbai' } })
    await t.engine.runUntilIdle()
    expect(await t.store.getUser('ann')).toEqual({ userId: 'ann', traits: { FIRSTNAME: 'Ann', CITY: 'Mumbai' } })
  })

  it('accepts a batch of track and identify calls with a batch-level sentAt', async () => {
    const t = await testApp()
    const batch = Array.from({ length: 100 }, (_, i) => (i % 2 ? { type: 'track', userId: `u${i}`, event: 'e' } : { type: 'identify', userId: `u${i}`, traits: { n: i } }))
    const res = await t.request('POST', '/v1/batch', { batch, sentAt: new Date(t.clock.now()).toISOString() })
    expect(res.status).toBe(200)
    expect((await t.engine.lag()).journalHead).toBe(100)
  })

  it('turns /v1/activity into the <channel>.<status> event with the message id', async () => {
    const t = await testApp()
    const ok = await t.request('POST', '/v1/activity', { userId: 'ann', channel: 'rcs', status: 'clicked', messageId: 'msg_1' })
    expect(ok.status).toBe(200)
    const [entry] = await t.store.readJournal(0, 1)
    expect(entry).toMatchObject({ type: 'track', event: 'rcs.clicked', properties: { messageId: 'msg_1' }, userId: 'ann' })
    const bad = await t.request('POST', '/v1/activity', { userId: 'ann', channel: 'sms', status: 'opened', messageId: 'msg_1' })
    expect(bad).toMatchObject({ status: 400, json: { error: { code: 'activity.unknown_status' } } })
  })
})

describe('bad input to ingestion', () => {
  const cases: [string, string, unknown, string][] = [
    ['malformed JSON', '/v1/track', '{"userId": "ann", "event": ', 'body.invalid_json'],
    ['an empty body', '/v1/track', '', 'body.empty'],
    ['an event name that is a number', '/v1/track', { userId: 'ann', event: 42 }, 'event.invalid'],
    ['a missing event name', '/v1/track', { userId: 'ann' }, 'event.invalid'],
    ['no userId nor anonymousId', '/v1/track', { event: 'x' }, 'event.missing_user'],
    ['properties that are a string', '/v1/track', { userId: 'ann', event: 'x', properties: 'oops' }, 'event.invalid'],
    ['a timestamp that is not a date', '/v1/track', { userId: 'ann', event: 'x', timestamp: 'yesterday-ish' }, 'event.invalid_timestamp'],
    ['traits that are an array', '/v1/identify', { userId: 'ann', traits: [1, 2] }, 'event.invalid'],
    ['a batch that is not an array', '/v1/batch', { batch: {} }, 'batch.invalid'],
    ['a batch item of unknown type', '/v1/batch', { batch: [{ type: 'page', userId: 'a' }] }, 'event.invalid'],
    ['a batch with one bad item', '/v1/batch', { batch: [{ type: 'track', userId: 'a', event: 'ok' }, { type: 'track', event: 'no user' }] }, 'event.missing_user'],
    ['JSON nested 1,000 deep', '/v1/track', `{"userId":"a","event":"x","properties":${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}}`, 'body.too_deep'],
  ]
  for (const [what, path, body, code] of cases) {
    it(`refuses ${what} with ${code} and stores nothing`, async () => {
      const t = await testApp()
      const res = await t.request('POST', path, body)
      expect(res.status).toBe(400)
      expect(res.json.error.code).toBe(code)
      expect(res.json.error.message.length).toBeGreaterThan(10)
      expect((await t.engine.lag()).journalHead).toBe(0)
    })
  }

  it('refuses an event over 32 KB and names the limit', async () => {
    const t = await testApp()
    const res = await t.request('POST', '/v1/track', { userId: 'a', event: 'x', properties: { blob: 'x'.repeat(33 * 1024) } })
    expect(res.status).toBe(400)
    expect(res.json.error).toMatchObject({ code: 'payload.too_large' })
    expect(res.json.error.message).toContain('32 KB per event')
    expect((await t.engine.lag()).journalHead).toBe(0)
  })

  it('refuses a batch over 500 KB, and a batch item over 32 KB, naming the limit', async () => {
    const t = await testApp()
    const big = { batch: Array.from({ length: 20 }, () => ({ type: 'track', userId: 'a', event: 'x', properties: { blob: 'x'.repeat(30 * 1024) } })) }
    const res = await t.request('POST', '/v1/batch', big)
    expect(res.json.error.code).toBe('payload.too_large')
    expect(res.json.error.message).toContain('500 KB per batch')
    const one = await t.request('POST', '/v1/batch', { batch: [{ type: 'track', userId: 'a', event: 'x', properties: { blob: 'x'.repeat(33 * 1024) } }] })
    expect(one.json.error.code).toBe('payload.too_large')
    expect(one.json.error.message).toContain('32 KB per event')
    expect((await t.engine.lag()).journalHead).toBe(0)
  })

  it('leaves Object.prototype alone when a body carries __proto__ and constructor keys', async () => {
    const t = await testApp()
    const res = await t.request('POST', '/v1/identify', '{"userId":"p","traits":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}')
    expect(res.status).toBe(200)
    await t.engine.runUntilIdle()
    expect(Reflect.get(Object.prototype, 'polluted')).toBeUndefined()
  })
})

describe('write key', () => {
  it('needs the write key as Basic user name or Bearer token when one is set', async () => {
    const t = await testApp({ writeKey: 'wk_secret' })
    const body = { userId: 'ann', event: 'x' }
    const basic = `Basic ${Buffer.from('wk_secret:').toString('base64')}`
    expect((await t.request('POST', '/v1/track', body)).json.error.code).toBe('auth.missing_write_key')
    expect((await t.request('POST', '/v1/track', body, { authorization: 'Bearer nope' })).json.error.code).toBe('auth.invalid_write_key')
    expect((await t.request('POST', '/v1/track', body, { authorization: `Basic ${Buffer.from('nope:').toString('base64')}` })).status).toBe(401)
    expect((await t.request('POST', '/v1/track', body, { authorization: basic })).status).toBe(200)
    expect((await t.request('POST', '/v1/track', body, { authorization: 'Bearer wk_secret' })).status).toBe(200)
    expect((await t.request('POST', '/v1/batch', { batch: [{ type: 'track', userId: 'a', event: 'x' }], writeKey: 'wk_secret' })).status).toBe(200)
    expect((await t.request('POST', '/v1/batch', { batch: [{ type: 'track', userId: 'a', event: 'x' }], writeKey: 'nope' })).status).toBe(401)
    expect((await t.engine.lag()).journalHead).toBe(3)
  })
})

describe('the fast batch item check', () => {
  // What ingestion reads of an item; the schema's answer and the fast check's must agree on it.
  const read = (x: BatchItem) => ({
    type: x.type,
    userId: x.userId,
    anonymousId: x.anonymousId,
    messageId: x.messageId,
    timestamp: x.timestamp,
    sentAt: x.sentAt,
    originalTimestamp: x.originalTimestamp,
    context: x.context,
    integrations: x.integrations,
    ...(x.type === 'track' ? { event: x.event, properties: x.properties } : { traits: x.traits }),
  })
  const items: unknown[] = [
    { type: 'track', userId: 'ann', event: '  Signed Up ', properties: { plan: 'pro' }, messageId: 'm1' },
    { type: 'track', anonymousId: 42, event: 'x', timestamp: 1767225600000, sentAt: '2026-01-01T00:00:00Z', context: { ip: '1.2.3.4' } },
    { type: 'identify', userId: 7, traits: { email: 'a@example.com' }, originalTimestamp: '2026-01-01T00:00:00Z', integrations: { All: true } },
    { type: 'identify', userId: 'bo' },
    // Refused by the schema: each must come back null from the fast check, so the schema answers.
    { type: 'track', userId: 'ann', event: '   ' },
    { type: 'track', userId: 'ann', event: 'x'.repeat(201) },
    { type: 'track', userId: '', event: 'x' },
    { type: 'track', userId: 'a\u0000b', event: 'x' },
    { type: 'track', userId: 'ann', event: 'x', messageId: '' },
    { type: 'track', userId: 'ann', event: 'x', properties: [1, 2] },
    { type: 'track', userId: 'ann', event: 'x', properties: null },
    { type: 'track', userId: 'ann', event: 'x', timestamp: true },
    { type: 'identify', userId: 'ann', traits: 'a string' },
    { type: 'page', userId: 'ann' },
    { type: 'track', userId: Number.NaN, event: 'x' },
    'not an object',
    null,
    [{ type: 'track' }],
  ]
  it('answers what the schema answers, or leaves the item to the schema', () => {
    let vouched = 0
    for (const item of items) {
      const fast = plainBatchItem(item)
      const schema = BatchItem.safeParse(item)
      if (fast === null) continue
      vouched++
      expect(schema.success, JSON.stringify(item)).toBe(true)
      if (schema.success) expect(read(fast)).toEqual(read(schema.data))
    }
    expect(vouched).toBe(4)
  })

  it('leaves an object that carries an own __proto__ key to the schema', () => {
    expect(plainBatchItem(JSON.parse('{"type":"track","userId":"ann","event":"x","__proto__":{"admin":true}}'))).toBeNull()
    expect(plainBatchItem(JSON.parse('{"type":"track","userId":"ann","event":"x","properties":{"__proto__":{"admin":true}}}'))).toBeNull()
  })
})
