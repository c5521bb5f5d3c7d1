import { expect, it } from 'vitest'
import { testApp } from '../test/harness'

it('keeps event times in whole milliseconds, so a fractional timestamp is stored (rounded) on every backend', async () => {
  const t = await testApp()
  const at = Date.parse('2026-01-05T09:00:00Z')
  expect((await t.request('POST', '/v1/track', { userId: 'ann', event: 'Ping', timestamp: at + 0.6, messageId: 'm1' })).status).toBe(200)
  expect((await t.request('POST', '/v1/identify', { userId: 'bob', traits: {}, originalTimestamp: 5e-324, messageId: 'm2' })).status).toBe(200)
  const entries = await t.store.readJournal(0, 10)
  expect(entries.map((e) => e.timestamp)).toEqual([at + 1, 0])
})
