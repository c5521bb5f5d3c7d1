import { beforeEach, describe, expect, it } from 'vitest'
import { loadExample } from '@switchyard/testkit'
import type { WebhookJob, MessageJob } from '@switchyard/schema'
import { identify, openTestEngine, path, publish, send, track, type TestEngine } from '../test/harness'

const MIN = 60_000
const DAY = 86_400_000

let t: TestEngine
beforeEach(async () => {
  t = await openTestEngine()
})

async function webhookJobs(): Promise<WebhookJob[]> {
  return (await t.engine.claimOutbox('webhook', 100)).flatMap((c) => (c.job.kind === 'webhook' ? [c.job] : []))
}
async function messageJobs(): Promise<MessageJob[]> {
  return (await t.engine.claimOutbox('message', 100)).flatMap((c) => (c.job.kind === 'message' ? [c.job] : []))
}

describe('single action (user performed an action)', () => {
  it('runs every user who performs the event straight to the webhook, once per event', async () => {
    const id = await publish(t.engine, loadExample('single-action', 'wh_1'))
    await send(t.engine, track('ann', 'App Launched'), track('bob', 'Something Else'))
    expect(await path(t.engine, id, 'ann')).toEqual(['entered:t>next', 'webhook:h>next', 'completed:x'])
    expect(await t.engine.userRuns(id, 'bob')).toEqual([])
    await send(t.engine, track('ann', 'App Launched'))
    const runs = await t.engine.userRuns(id, 'ann')
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed'])
    const jobs = await webhookJobs()
    expect(jobs).toHaveLength(2)
    expect(new Set(jobs.map((j) => j.id)).size).toBe(2)
    expect(jobs[0]?.webhookId).toBe('wh_1')
  })
})

describe('several actions (performed one event, then another)', () => {
  it('takes the matched branch when the second event comes in time and the timeout branch otherwise', async () => {
    const id = await publish(t.engine, loadExample('several-actions', 'wh_1'))
    await send(t.engine, track('ann', 'App Launched'), track('bob', 'App Launched'))
    t.clock.advance(2 * 3_600_000)
    await send(t.engine, track('ann', 'Notification Viewed'), track('carl', 'Notification Viewed'))
    expect(await path(t.engine, id, 'ann')).toEqual(['entered:t>next', 'entered:w', 'event:w>matched', 'webhook:h>next', 'completed:x1'])
    expect(await t.engine.userRuns(id, 'carl')).toEqual([])
    const [bob] = await t.engine.userRuns(id, 'bob')
    expect(bob?.status).toBe('active')
    expect(bob?.currentNodeId).toBe('w')
    expect(bob?.waitingUntil).toBe(new Date(t.clock.now() - 2 * 3_600_000 + DAY).toISOString())

    t.clock.advance(DAY - 2 * 3_600_000 - 1)
    await t.engine.runUntilIdle()
    expect((await t.engine.userRuns(id, 'bob'))[0]?.status).toBe('active')
    t.clock.advance(1)
    await t.engine.runUntilIdle()
    expect(await path(t.engine, id, 'bob')).toEqual(['entered:t>next', 'entered:w', 'timeout:w>timeout', 'completed:x2'])
    expect(await webhookJobs()).toHaveLength(1)
  })
})

describe('inaction within time (searched, did not book within 30 minutes)', () => {
  it('filters the trigger, cancels the timer on a booking and calls the webhook on timeout', async () => {
    const id = await publish(t.engine, loadExample('inaction-within-time', 'wh_cc'))
    const business = { cabin: 'business', international: true }
    await send(
      t.engine,
      track('ann', 'Flight Searched', business),
      track('bob', 'Flight Searched', business),
      track('eve', 'Flight Searched', { cabin: 'economy', international: true }),
    )
    expect(await t.engine.userRuns(id, 'eve')).toEqual([])
    expect(await t.store.pendingTimerCount()).toBe(2)

    t.clock.advance(10 * MIN)
    await send(t.engine, track('ann', 'Flight Booked'))
    expect(await path(t.engine, id, 'ann')).toEqual(['entered:t>next', 'entered:w', 'event:w>matched', 'completed:booked'])
    expect(await t.store.pendingTimerCount()).toBe(1)

    t.clock.advance(20 * MIN - 1)
    await t.engine.runUntilIdle()
    expect(await webhookJobs()).toEqual([])
    t.clock.advance(1)
    await t.engine.runUntilIdle()
    expect(await path(t.engine, id, 'bob')).toEqual(['entered:t>next', 'entered:w', 'timeout:w>timeout', 'webhook:h>next', 'completed:x'])
    const [job] = await webhookJobs()
    expect(job?.customParams).toEqual({ queue: 'call-centre' })
    expect(job?.context.user.id).toBe('bob')
    expect(await t.store.pendingTimerCount()).toBe(0)
  })
})

describe('inaction (launched, never viewed the notification)', () => {
  it('re-enters only after the previous run ended', async () => {
    const id = await publish(t.engine, loadExample('inaction', 'wh_1'))
    await send(t.engine, track('ann', 'App Launched'))
    await send(t.engine, track('ann', 'App Launched'))
    expect(await t.engine.userRuns(id, 'ann')).toHaveLength(1)
    t.clock.advance(7 * DAY)
    await t.engine.runUntilIdle()
    expect(await path(t.engine, id, 'ann')).toEqual(['entered:t>next', 'entered:w', 'timeout:w>timeout', 'webhook:h>next', 'completed:x'])
    await send(t.engine, track('ann', 'App Launched'))
    expect((await t.engine.userRuns(id, 'ann')).map((r) => r.status)).toEqual(['active', 'completed'])
  })
})

describe('a period after a date-time property', () => {
  it('waits until the date in the event plus the offset, not a moment less', async () => {
    const id = await publish(t.engine, loadExample('date-time-property', 'wh_1'))
    const purchasedAt = t.clock.now() - DAY
    await send(t.engine, track('ann', 'Charged', { purchasedAt: new Date(purchasedAt).toISOString() }))
    const [run] = await t.engine.userRuns(id, 'ann')
    expect(run?.waitingUntil).toBe(new Date(purchasedAt + 3 * DAY).toISOString())
    t.clock.set(purchasedAt + 3 * DAY - 1)
    await t.engine.runUntilIdle()
    expect(await webhookJobs()).toEqual([])
    t.clock.set(purchasedAt + 3 * DAY)
    await t.engine.runUntilIdle()
    expect(await path(t.engine, id, 'ann')).toEqual(['entered:t>next', 'entered:d', 'timeout:d>next', 'webhook:h>next', 'completed:x'])
  })
})

describe('a date-time property no stored time can hold', () => {
  it('ends the delay at once for a date past what a Date holds, keeps whole milliseconds, and never stops the engine', async () => {
    const id = await publish(t.engine, loadExample('date-time-property', 'wh_1'))
    const now = t.clock.now()
    const fractional = now - DAY + 0.7
    const odd: [string, unknown][] = [['frac', fractional], ['huge', 1e300], ['tiny', -1e300], ['max', '+275760-09-13T00:00:00Z'], ['word', 'soon']]
    await send(t.engine, ...odd.map(([user, purchasedAt]) => track(user, 'Charged', { purchasedAt })), track('ann', 'Charged', { purchasedAt: new Date(now).toISOString() }))
    expect((await t.engine.lag()).pending).toBe(0)
    const [frac] = await t.engine.userRuns(id, 'frac')
    expect(frac?.waitingUntil).toBe(new Date(Math.round(fractional) + 3 * DAY).toISOString())
    const [ann] = await t.engine.userRuns(id, 'ann')
    expect(ann?.waitingUntil).toBe(new Date(now + 3 * DAY).toISOString())
    await t.engine.runUntilIdle()
    // The max date plus the 3-day offset is past a Date's range: like a missing date, the delay ends at once.
    for (const user of ['huge', 'tiny', 'max', 'word']) expect(await path(t.engine, id, user)).toEqual(['entered:t>next', 'entered:d', 'timeout:d>next', 'webhook:h>next', 'completed:x'])
  })
})

describe('actions filtered by user properties', () => {
  it('starts only users whose profile matches, using traits from identify', async () => {
    const id = await publish(t.engine, loadExample('actions-with-user-properties', 'wh_1'))
    await send(t.engine, identify('ann', { country: 'Canada' }), identify('bob', { country: 'US' }))
    await send(t.engine, track('ann', 'Charged', { amount: 10 }), track('bob', 'Charged', { amount: 10 }))
    expect(await path(t.engine, id, 'ann')).toEqual(['entered:t>next', 'webhook:h>next', 'completed:x'])
    expect(await t.engine.userRuns(id, 'bob')).toEqual([])
    await send(t.engine, identify('bob', { country: 'Canada' }), track('bob', 'Charged'))
    expect(await t.engine.userRuns(id, 'bob')).toHaveLength(1)
  })
})

describe('the Netcore journey: add to cart -> RCS -> wait for a click -> webhook', () => {
  it('matches only a click on the message the run sent, and times out the others', async () => {
    const id = await publish(t.engine, loadExample('netcore-cart-rcs', 'wh_cc'))
    await send(t.engine, identify('ann', { FIRSTNAME: 'Ann', EMAIL: 'ann@example.com', CITY: 'Pune' }))
    await send(t.engine, track('ann', 'add_to_cart'), track('bob', 'add_to_cart'))
    const messages = await messageJobs()
    expect(messages.map((m) => [m.context.user.id, m.channel])).toEqual([
      ['ann', 'rcs'],
      ['bob', 'rcs'],
    ])
    const annMsg = messages[0]?.id ?? ''
    const bobMsg = messages[1]?.id ?? ''
    expect(annMsg).not.toBe(bobMsg)
    const [annRun] = await t.engine.userRuns(id, 'ann')
    expect(annRun?.history.find((h) => h.kind === 'message')?.messageId).toBe(annMsg)

    t.clock.advance(5 * MIN)
    // Wrong message id, wrong status, another user's message id: none of them match.
    await send(
      t.engine,
      track('ann', 'rcs.clicked', { messageId: 'msg_other' }),
      track('ann', 'rcs.delivered', { messageId: annMsg }),
      track('ann', 'rcs.clicked', { messageId: bobMsg }),
      track('bob', 'rcs.clicked', { messageId: annMsg }),
    )
    expect((await t.engine.userRuns(id, 'ann'))[0]?.currentNodeId).toBe('wait')
    expect((await t.engine.userRuns(id, 'bob'))[0]?.currentNodeId).toBe('wait')

    await send(t.engine, track('ann', 'rcs.clicked', { messageId: annMsg }))
    expect(await path(t.engine, id, 'ann')).toEqual([
      'entered:trigger>next',
      'message:rcs>next',
      'entered:wait',
      'event:wait>matched',
      'webhook:hook>next',
      'completed:done',
    ])
    const clicked = (await t.engine.userRuns(id, 'ann'))[0]?.history.find((h) => h.kind === 'event')
    expect(clicked?.messageId).toBe(annMsg)
    const [hook] = await webhookJobs()
    expect(hook?.params).toEqual(['event.timestamp', 'user.traits.EMAIL', 'user.traits.CITY'])
    expect(hook?.context.message).toEqual({ id: annMsg, channel: 'rcs', status: 'clicked' })
    expect(hook?.context.event?.name).toBe('rcs.clicked')
    expect(hook?.context.user.traits.EMAIL).toBe('ann@example.com')
    expect(hook?.context.journey).toEqual({ id, name: 'Cart abandoners: RCS nudge, call centre on click', version: 1 })

    t.clock.advance(10 * MIN - 1)
    await t.engine.runUntilIdle()
    expect((await t.engine.userRuns(id, 'bob'))[0]?.status).toBe('active')
    t.clock.advance(1)
    await t.engine.runUntilIdle()
    expect(await path(t.engine, id, 'bob')).toEqual(['entered:trigger>next', 'message:rcs>next', 'entered:wait', 'timeout:wait>timeout', 'completed:no-click'])

    const stats = await t.engine.stats(id)
    expect(stats.nodes.wait).toEqual({ label: 'Wait for event', entered: 2, active: 0, outlets: { matched: 1, timeout: 1 } })
    expect(stats.nodes.hook).toEqual({ label: 'Webhook', entered: 1, active: 0, outlets: { next: 1 } })
  })
})
