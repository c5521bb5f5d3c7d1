import { describe, expect, it } from 'vitest'
import { testApp } from '../test/harness'

// Finite numbers past ±8.64e15 ms have no Date: found by the fuzzer, they made the engine loop
// throw (Date#toISOString) on every pass over the stored event.
const OUT_OF_RANGE = [1e308, -1e308, 8.64e15 + 1, '1e308']

describe('times outside the range of a date', () => {
  for (const t of OUT_OF_RANGE) {
    it(`are refused on /v1/track, /v1/batch and /v1/activity (${t})`, async () => {
      const app = await testApp()
      const track = await app.request('POST', '/v1/track', { userId: 'ann', event: 'x', timestamp: t })
      const sentAt = await app.request('POST', '/v1/batch', { batch: [{ type: 'track', userId: 'ann', event: 'x' }], sentAt: t })
      const activity = await app.request('POST', '/v1/activity', { userId: 'ann', channel: 'email', status: 'delivered', messageId: 'm1', timestamp: t })
      expect([track.status, sentAt.status, activity.status]).toEqual([400, 400, 400])
      expect(track.json.error.code).toBe('event.invalid_timestamp')
      expect(activity.json.error.code).toBe('activity.invalid')
      expect((await app.engine.lag()).journalHead).toBe(0)
    })
  }

  it('do not reach the engine through a clock-skew correction (timestamp and sentAt far apart)', async () => {
    const app = await testApp()
    const res = await app.request('POST', '/v1/track', { userId: 'ann', event: 'x', timestamp: -8e15, sentAt: 8e15 })
    expect(res.json.error.code).toBe('event.invalid_timestamp')
  })

})
