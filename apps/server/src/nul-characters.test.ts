import { describe, expect, it } from 'vitest'
import { testApp } from '../test/harness'

// PostgreSQL text holds no NUL character; SQLite would. Refused the same way on both, before storage.
describe('NUL characters', () => {
  it('are refused in ids, event names and names with a 400 that says so, and nothing is stored', async () => {
    const t = await testApp()
    const track = await t.request('POST', '/v1/track', { userId: 'a\u0000b', event: 'Ping' })
    expect(track.status).toBe(400)
    expect(track.text).toContain('NUL')
    expect((await t.request('POST', '/v1/track', { userId: 'ann', event: 'Pi\u0000ng' })).status).toBe(400)
    expect((await t.request('POST', '/v1/track', { userId: 'ann', event: 'Ping', messageId: 'm\u0000' })).status).toBe(400)
    expect(await t.store.readJournal(0, 10)).toEqual([])
    const path = await t.request('GET', '/api/users/a%00b')
    expect(path).toMatchObject({ status: 400, json: { error: { code: 'request.bad_path' } } })
    const query = await t.request('GET', '/api/journeys?status=%00')
    expect(query.status).toBe(400)
    const journey = await t.request('POST', '/api/journeys', { name: 'Cart\u0000', graph: { nodes: [], edges: [] } })
    expect(journey.status).toBe(400)
    expect(journey.text).toContain('NUL')
  })

  it('in the ids of activity and receipts: a 400 or an unknown message, never a failed journal write', async () => {
    const t = await testApp()
    const activity = await t.request('POST', '/v1/activity', { userId: 'ann', channel: 'email', status: 'opened', messageId: 'm\u0000' })
    expect(activity).toMatchObject({ status: 400, json: { error: { code: 'activity.invalid' } } })
    expect(activity.text).toContain('NUL')
    expect((await t.request('POST', '/v1/activity', { userId: 'a\u0000', channel: 'email', status: 'opened', messageId: 'm' })).status).toBe(400)
    const provider = await t.request('POST', '/api/channels', { name: 'Receipts', channel: 'email', kind: 'sandbox', config: {} })
    const receipt = await t.request('POST', `/v1/receipts/push/${provider.json.id}`, { events: [{ switchyard_message_id: 'm\u0000', message_id: '\u0000', event: 'MESSAGE_DELIVERED' }] })
    expect(receipt).toMatchObject({ status: 400, json: { error: { code: 'receipt.unknown_message' } } })
    const emit = await t.request('POST', '/api/channels/sandbox/emit', { messageId: 'm\u0000', status: 'delivered' })
    expect(emit).toMatchObject({ status: 404, json: { error: { code: 'message.not_found' } } })
    expect(await t.store.readJournal(0, 10)).toEqual([])
  })
})
