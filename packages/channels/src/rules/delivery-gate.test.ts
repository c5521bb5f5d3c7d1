import { describe, expect, it } from 'vitest'
import { JourneySettings, type MessageJob, type WebhookJob } from '@switchyard/schema'
import { deliveryGate, sendRetryAt } from './delivery-gate'

// 23:30 in Kolkata.
const NIGHT = Date.parse('2026-03-02T18:00:00Z')
const NOON = Date.parse('2026-03-02T06:30:00Z')
const HOUR = 3_600_000
const context = {
  workspace: 'w',
  journey: { id: 'j', name: 'J', version: 1 },
  runId: 'r',
  nodeId: 'n',
  user: { id: 'ann', traits: { timezone: 'Asia/Kolkata' } },
  event: null,
  message: null,
}
const sms: MessageJob = { kind: 'message', id: 'msg_1', channel: 'sms', providerId: null, message: { text: 'Hi' }, context, createdAt: NIGHT }
const hook: WebhookJob = { kind: 'webhook', id: 'dlv_1', webhookId: 'wh', params: [], customParams: {}, body: { kind: 'activity' }, context, createdAt: NIGHT }
const settings = JourneySettings.parse({ quietHours: { start: '22:00', end: '08:00' }, frequencyCaps: [{ channel: 'sms', max: 1, per: { amount: 1, unit: 'days' } }] })

describe('the delivery gate', () => {
  it('holds a message or a webhook due in quiet hours until they end in the user’s timezone', () => {
    for (const job of [sms, hook]) expect(deliveryGate(job, settings, NIGHT, () => [])).toMatchObject({ action: 'hold', rule: 'quietHours', until: Date.parse('2026-03-03T02:30:00Z') })
  })

  it('skips a message over its channel’s cap, reading the sent times from the caps’ window only', () => {
    const since: number[] = []
    const d = deliveryGate(sms, settings, NOON, (s) => (since.push(s), [NOON - HOUR]))
    expect(d).toMatchObject({ action: 'skip', rule: 'frequencyCap' })
    expect(since).toEqual([NOON - 24 * HOUR])
    expect(deliveryGate(sms, settings, NOON, () => [NOON - 25 * HOUR])).toEqual({ action: 'send' })
  })

  it('never caps a webhook, and sends with no settings', () => {
    expect(deliveryGate(hook, settings, NOON, () => [NOON, NOON])).toEqual({ action: 'send' })
    expect(deliveryGate(sms, null, NIGHT, () => [NOON])).toEqual({ action: 'send' })
  })
})

describe('send retries', () => {
  it('wait twice as long after each attempt, at most a minute, and give up after the fifth', () => {
    expect([1, 2, 3, 4].map((a) => sendRetryAt(a, 0))).toEqual([2_000, 4_000, 8_000, 16_000])
    expect(sendRetryAt(5, 0)).toBeNull()
  })
})
