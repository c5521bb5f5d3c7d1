import { describe, expect, it } from 'vitest'
import { pushSignature } from '@switchyard/channels'
import { action, edge, exit, graph, journeyInput, minutes, trigger, waitActivity } from '@switchyard/testkit'
import { testApp, type TestApp } from '../test/harness'

const WRITE_KEY = 'wk_receipts'
const basic = { authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` }

/** Publishes "send on `channel`, then wait for `status`", signs ann up and sends the message. */
async function messageWaitingFor(t: TestApp, channel: string, status: string, headers: Record<string, string> = {}) {
  const flow = graph(
    [trigger('t', 'Signed Up'), action('msg', channel, channel === 'email' ? { subject: 'Hi', body: 'Hi' } : { text: 'Hi', title: 'Hi', body: 'Hi' }), waitActivity('w', status, minutes(30)), exit('reacted'), exit('silent')],
    [edge('t', 'next', 'msg'), edge('msg', 'next', 'w'), edge('w', 'matched', 'reacted'), edge('w', 'timeout', 'silent')],
  )
  const { id } = (await t.request('POST', '/api/journeys', journeyInput(`${channel} ${status}`, flow))).json
  expect((await t.request('POST', `/api/journeys/${id}/publish`)).status).toBe(200)
  expect((await t.request('POST', '/v1/track', { userId: 'ann', event: 'Signed Up' }, headers)).status).toBe(200)
  await t.dispatch()
  const run = (await t.request('GET', `/api/journeys/${id}/users/ann`)).json.runs[0]
  const messageId: string = run.history.find((h: { kind: string }) => h.kind === 'message').messageId
  const where = async () => {
    await t.engine.runUntilIdle()
    return (await t.request('GET', `/api/journeys/${id}/users/ann`)).json.runs[0].currentNodeId
  }
  expect(await where()).toBe('w')
  return { journeyId: id, messageId, where }
}

function dsn(messageId: string): string {
  return [
    'From: MAILER-DAEMON@mx.example.test',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'Delivery failed.',
    '--b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.test',
    '',
    'Final-Recipient: rfc822; ann@example.test',
    'Action: failed',
    'Status: 5.1.1',
    '',
    '--b1',
    'Content-Type: text/rfc822-headers',
    '',
    `X-Switchyard-Message-Id: ${messageId}`,
    '',
    '--b1--',
    '',
  ].join('\r\n')
}

describe('receipts need the write key when one is set', () => {
  it('refuses a forged DSN without the key, and takes it with the key in the callback URL', async () => {
    const t = await testApp({ writeKey: WRITE_KEY })
    const m = await messageWaitingFor(t, 'email', 'bounced', basic)
    const forged = await t.request('POST', '/v1/receipts/dsn', dsn(m.messageId), { 'content-type': 'message/rfc822' })
    expect(forged).toMatchObject({ status: 401, json: { error: { code: 'auth.missing_write_key' } } })
    expect(forged.json.error.message).toContain('callback URL')
    expect(await m.where()).toBe('w')
    const real = await t.request('POST', '/v1/receipts/dsn', dsn(m.messageId), { 'content-type': 'message/rfc822', ...basic })
    expect(real).toMatchObject({ status: 200, json: { success: true, accepted: 1 } })
    expect(await m.where()).toBe('reacted')
  })

  it('refuses unsigned provider receipts without the key on every provider route', async () => {
    const t = await testApp({ writeKey: WRITE_KEY })
    const push = (await t.request('POST', '/api/channels', { name: 'Push', channel: 'app_push', kind: 'sandbox', config: {} })).json
    const m = await messageWaitingFor(t, 'app_push', 'delivered', basic)
    const body = JSON.stringify({ switchyard_message_id: m.messageId, event: 'MESSAGE_DELIVERED' })
    const forged = [
      await t.request('POST', `/v1/receipts/push/${push.id}`, body),
      await t.request('POST', `/v1/receipts/twilio/${push.id}`, `MessageSid=x&MessageStatus=delivered`, { 'content-type': 'application/x-www-form-urlencoded' }),
      await t.request('POST', `/v1/receipts/sendgrid/${push.id}`, JSON.stringify([{ event: 'delivered', switchyard_message_id: m.messageId }])),
    ]
    for (const r of forged) expect(r).toMatchObject({ status: 401, json: { error: { code: 'auth.missing_write_key' } } })
    expect(await m.where()).toBe('w')
    expect((await t.request('POST', `/v1/receipts/push/${push.id}`, body, { authorization: 'Bearer nope' })).status).toBe(401)
    expect((await t.request('POST', `/v1/receipts/push/${push.id}`, body, basic)).status).toBe(200)
    expect(await m.where()).toBe('reacted')
  })

  it('takes a receipt signed with the provider’s receipt secret without the key, and refuses a bad signature', async () => {
    const t = await testApp({ writeKey: WRITE_KEY })
    const push = (await t.request('POST', '/api/channels', { name: 'Push', channel: 'app_push', kind: 'sandbox', config: {}, receiptSecret: 'push-secret' })).json
    const m = await messageWaitingFor(t, 'app_push', 'delivered', basic)
    const body = JSON.stringify({ switchyard_message_id: m.messageId, event: 'MESSAGE_DELIVERED' })
    const wrong = await t.request('POST', `/v1/receipts/push/${push.id}`, body, { 'x-switchyard-signature': pushSignature('guess', body) })
    expect(wrong).toMatchObject({ status: 401, json: { error: { code: 'receipt.signature' } } })
    expect(await m.where()).toBe('w')
    const signed = await t.request('POST', `/v1/receipts/push/${push.id}`, body, { 'x-switchyard-signature': pushSignature('push-secret', body) })
    expect(signed).toMatchObject({ status: 200, json: { accepted: 1 } })
    expect(await m.where()).toBe('reacted')
  })
})

describe('/v1/activity with a write key set', () => {
  it('takes the key as a header or, like the Segment client, as writeKey in the body', async () => {
    const t = await testApp({ writeKey: WRITE_KEY })
    const body = { userId: 'ann', channel: 'sms', status: 'delivered', messageId: 'ext_1' }
    expect((await t.request('POST', '/v1/activity', body)).json.error.code).toBe('auth.missing_write_key')
    expect((await t.request('POST', '/v1/activity', { ...body, writeKey: 'nope' })).status).toBe(401)
    expect((await t.request('POST', '/v1/activity', { ...body, writeKey: WRITE_KEY })).status).toBe(200)
    expect((await t.request('POST', '/v1/activity', { ...body, messageId: 'ext_2' }, basic)).status).toBe(200)
    expect((await t.engine.lag()).journalHead).toBe(2)
  })
})

describe('activity for another user or channel', () => {
  it('is refused and stores nothing, so the real recipient’s activity still counts', async () => {
    const t = await testApp()
    const m = await messageWaitingFor(t, 'email', 'clicked')
    const head = (await t.engine.lag()).journalHead
    const bob = await t.request('POST', '/v1/activity', { userId: 'bob', channel: 'email', status: 'clicked', messageId: m.messageId })
    expect(bob).toMatchObject({ status: 400, json: { error: { code: 'activity.user_mismatch' } } })
    const sms = await t.request('POST', '/v1/activity', { userId: 'ann', channel: 'sms', status: 'clicked', messageId: m.messageId })
    expect(sms).toMatchObject({ status: 400, json: { error: { code: 'activity.channel_mismatch' } } })
    expect((await t.engine.lag()).journalHead).toBe(head)
    expect(await m.where()).toBe('w')
    expect((await t.request('POST', '/v1/activity', { userId: 'ann', channel: 'email', status: 'clicked', messageId: m.messageId })).status).toBe(200)
    expect(await m.where()).toBe('reacted')
  })

  it('is refused for a bounce that names a message sent on another channel', async () => {
    const t = await testApp()
    const m = await messageWaitingFor(t, 'sms', 'delivered')
    const res = await t.request('POST', '/v1/receipts/dsn', dsn(m.messageId))
    expect(res).toMatchObject({ status: 400, json: { error: { code: 'activity.channel_mismatch' } } })
  })
})

describe('one path for every receipt source', () => {
  it('reports message.delivered to account webhooks when delivery comes through /v1/activity', async () => {
    const t = await testApp({ withWebhooks: true })
    const hook = (await t.request('POST', '/api/webhooks', { name: 'Receipts', url: 'https://hooks.example.com/r', events: ['message.delivered'] })).json
    const m = await messageWaitingFor(t, 'sms', 'delivered')
    expect((await t.request('POST', '/v1/activity', { userId: 'ann', channel: 'SMS', status: 'Deliver', messageId: m.messageId })).status).toBe(200)
    const deliveries = (await t.request('GET', `/api/webhooks/${hook.id}/deliveries`)).json.deliveries
    expect(deliveries).toHaveLength(1)
    expect(JSON.stringify(deliveries[0])).toContain('message.delivered')
    // The sandbox reporting the same delivery is the same journal event and the same account event.
    const head = (await t.engine.lag()).journalHead
    expect((await t.request('POST', '/api/channels/sandbox/emit', { messageId: m.messageId, status: 'delivered' })).status).toBe(200)
    expect((await t.engine.lag()).journalHead).toBe(head)
    expect((await t.request('GET', `/api/webhooks/${hook.id}/deliveries`)).json.deliveries).toHaveLength(1)
    const entries = await t.store.readJournal(0, 100)
    expect(entries.find((e) => e.event === 'sms.delivered')).toMatchObject({ userId: 'ann', properties: { messageId: m.messageId, channel: 'sms', status: 'delivered' } })
    expect(await m.where()).toBe('reacted')
  })
})

describe("the seeds' spellings on /v1/activity", () => {
  const cases: [string, string, string][] = [
    ['rcs', 'click', 'rcs.clicked'],
    ['RCS', 'Clicked', 'rcs.clicked'],
    ['WhatsApp', 'Open', 'whatsapp.opened'],
    ['apn', 'Delivered', 'app_push.delivered'],
    ['BPN', 'Click', 'web_push.clicked'],
    ['Email', 'Bounce', 'email.bounced'],
    ['sms', 'deliver', 'sms.delivered'],
  ]
  for (const [channel, status, event] of cases) {
    it(`takes ${channel} / ${status} as ${event}`, async () => {
      const t = await testApp()
      const res = await t.request('POST', '/v1/activity', { userId: 'ann', channel, status, messageId: `ext_${channel}_${status}` })
      expect(res).toMatchObject({ status: 200, json: { success: true } })
      const [entry] = await t.store.readJournal(0, 1)
      expect(entry?.event).toBe(event)
    })
  }

  it('still refuses a channel or status that is not in the table, saying what is allowed', async () => {
    const t = await testApp()
    const fax = await t.request('POST', '/v1/activity', { userId: 'ann', channel: 'fax', status: 'delivered', messageId: 'm' })
    expect(fax).toMatchObject({ status: 400, json: { error: { code: 'activity.unknown_channel' } } })
    expect(fax.json.error.message).toContain('app_push')
    const smsOpen = await t.request('POST', '/v1/activity', { userId: 'ann', channel: 'sms', status: 'opened', messageId: 'm' })
    expect(smsOpen).toMatchObject({ status: 400, json: { error: { code: 'activity.unknown_status' } } })
    expect((await t.engine.lag()).journalHead).toBe(0)
  })
})
