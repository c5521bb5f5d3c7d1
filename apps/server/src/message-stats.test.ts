import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { action, edge, exit, graph, journeyInput, trigger } from '@switchyard/testkit'
import { testApp } from '../test/harness'

const flow = graph(
  [trigger('t', 'Signed Up'), action('mail', 'email', { subject: 'Hi', body: 'Hi' }), exit('done')],
  [edge('t', 'next', 'mail'), edge('mail', 'next', 'done')],
)

describe('a message step counts its deliveries in the journey stats', () => {
  it('counts sent, delivered, opened and clicked from receipts and tracked events alike, and keeps them across a restart', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'sy-stats-')), 'switchyard.db')
    const t = await testApp({ dbFile })
    const { id } = (await t.request('POST', '/api/journeys', journeyInput('Welcome', flow))).json
    expect((await t.request('POST', `/api/journeys/${id}/publish`)).status).toBe(200)
    for (const userId of ['ann', 'bob', 'cy']) {
      await t.request('POST', '/v1/identify', { userId, traits: { email: `${userId}@example.test` } })
      await t.request('POST', '/v1/track', { userId, event: 'Signed Up' })
    }
    // dan has no email address: the sandbox takes his message, and the figures say nobody got it.
    await t.request('POST', '/v1/track', { userId: 'dan', event: 'Signed Up' })
    await t.dispatch()
    const messageOf = async (userId: string): Promise<string> =>
      (await t.request('GET', `/api/journeys/${id}/users/${userId}`)).json.runs[0].history.find((h: { kind: string }) => h.kind === 'message').messageId
    const ann = await messageOf('ann')
    const bob = await messageOf('bob')
    // A receipt through /v1/activity, and a click the app reports as a tracked event.
    expect((await t.request('POST', '/v1/activity', { messageId: bob, userId: 'bob', channel: 'email', status: 'opened' })).status).toBeLessThan(300)
    expect((await t.request('POST', '/v1/track', { userId: 'ann', event: 'email.clicked', properties: { messageId: ann } })).status).toBe(200)
    // A late "delivered" does not undo the click.
    await t.request('POST', '/v1/activity', { messageId: ann, userId: 'ann', channel: 'email', status: 'delivered' })
    // Another user's click on ann's message is not hers.
    await t.request('POST', '/v1/track', { userId: 'cy', event: 'email.clicked', properties: { messageId: ann } })
    await t.dispatch()

    const expected = { sent: 4, delivered: 2, opened: 2, clicked: 1, failed: 0, bounced: 0, noAddress: 1 }
    const stats = (await t.request('GET', `/api/journeys/${id}/stats`)).json
    expect(stats.nodes.mail.messages).toEqual(expected)
    expect(stats.nodes.mail.entered).toBe(4)
    expect(stats.nodes.t.messages).toBeUndefined()

    const again = await testApp({ dbFile })
    expect((await again.request('GET', `/api/journeys/${id}/stats`)).json.nodes.mail.messages).toEqual(expected)
  })
})
