import { describe, expect, it } from 'vitest'
import { CHANNELS, CHANNEL_STATUSES } from '@switchyard/schema'
import { activityToTrack, normaliseActivity } from './activity'

const NOW = Date.parse('2026-01-05T10:00:00Z')

describe('generic activity (POST /v1/activity)', () => {
  it('accepts every status of every channel in the table and names the track event <channel>.<status>', () => {
    for (const channel of CHANNELS) {
      for (const status of CHANNEL_STATUSES[channel]) {
        const r = normaliseActivity({ userId: 'u1', channel, status, messageId: 'm1', timestamp: '2026-01-05T09:00:00Z' }, NOW)
        expect(r).toEqual({ ok: true, value: { userId: 'u1', channel, status, messageId: 'm1', timestamp: Date.parse('2026-01-05T09:00:00Z'), eventId: `m1:${status}` } })
        if (r.ok) {
          expect(activityToTrack(r.value)).toEqual({
            type: 'track',
            userId: 'u1',
            event: `${channel}.${status}`,
            messageId: `m1:${status}`,
            timestamp: '2026-01-05T09:00:00.000Z',
            properties: { messageId: 'm1', channel, status },
          })
        }
      }
    }
  })

  it("accepts the seeds' spellings: apn, bpn, open, click, capitals", () => {
    expect(normaliseActivity({ userId: 1, channel: 'apn', status: 'Delivered', messageId: 'm' }, NOW)).toMatchObject({ ok: true, value: { userId: '1', channel: 'app_push', status: 'delivered', timestamp: NOW } })
    expect(normaliseActivity({ userId: 'u', channel: 'bpn', status: 'click', messageId: 'm' }, NOW)).toMatchObject({ ok: true, value: { channel: 'web_push', status: 'clicked' } })
    expect(normaliseActivity({ userId: 'u', channel: 'WhatsApp', status: 'open', messageId: 'm' }, NOW)).toMatchObject({ ok: true, value: { channel: 'whatsapp', status: 'opened' } })
  })

  it('reads epoch seconds and milliseconds', () => {
    expect(normaliseActivity({ userId: 'u', channel: 'sms', status: 'delivered', messageId: 'm', timestamp: 1767607200 }, NOW)).toMatchObject({ ok: true, value: { timestamp: 1767607200000 } })
    expect(normaliseActivity({ userId: 'u', channel: 'sms', status: 'delivered', messageId: 'm', timestamp: 1767607200123 }, NOW)).toMatchObject({ ok: true, value: { timestamp: 1767607200123 } })
  })

  it('says what is wrong', () => {
    expect(normaliseActivity({ channel: 'sms' }, NOW)).toMatchObject({ ok: false, code: 'activity.invalid' })
    expect(normaliseActivity('nope', NOW)).toMatchObject({ ok: false, code: 'activity.invalid' })
    expect(normaliseActivity({ userId: 'u', channel: 'fax', status: 'delivered', messageId: 'm' }, NOW)).toMatchObject({
      ok: false,
      code: 'activity.unknown_channel',
      message: 'Unknown channel "fax"; use one of email, sms, app_push, web_push, whatsapp, rcs (apn and bpn name app_push and web_push).',
    })
    expect(normaliseActivity({ userId: 'u', channel: 'sms', status: 'opened', messageId: 'm' }, NOW)).toMatchObject({
      ok: false,
      code: 'activity.unknown_status',
      message: 'Status "opened" is not reported for sms; use one of delivered, clicked.',
      details: { field: 'status' },
    })
    expect(normaliseActivity({ userId: 'u', channel: 'email', status: 'sent', messageId: 'm' }, NOW)).toMatchObject({ ok: false, details: { field: 'status' } })
    expect(normaliseActivity({ userId: 'u', channel: 'email', status: 'opened', messageId: 'm', timestamp: 'yesterday' }, NOW)).toMatchObject({
      ok: false,
      details: { field: 'timestamp' },
    })
  })
})
