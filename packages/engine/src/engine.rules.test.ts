import { describe, expect, it } from 'vitest'
import { action, days, edge, exit, graph, journeyInput, trigger, waitActivity, hours, webhook } from '@switchyard/testkit'
import { openTestEngine, publish, send, track } from '../test/harness'

const DAY = 86_400_000

const emailJourney = () =>
  graph(
    [
      trigger('t', 'Signed Up'),
      action('mail', 'email', { subject: 'Welcome {{ user.traits.name }}', body: 'Hi' }),
      waitActivity('w', 'opened', hours(1)),
      exit('opened'),
      exit('not-opened'),
    ],
    [edge('t', 'next', 'mail'), edge('mail', 'next', 'w'), edge('w', 'matched', 'opened'), edge('w', 'timeout', 'not-opened')],
  )

describe('control group', () => {
  it('takes control users through the journey without sending them messages', async () => {
    const t = await openTestEngine()
    const id = await publish(t.engine, journeyInput('All control', emailJourney(), { controlGroupPercent: 100 }))
    await send(t.engine, track('ann', 'Signed Up'))
    expect(await t.engine.claimOutbox('message', 10)).toEqual([])
    const [run] = await t.engine.userRuns(id, 'ann')
    expect(run?.history.find((h) => h.kind === 'message')?.detail).toMatchObject({ status: 'skipped' })
    expect(run?.history.find((h) => h.kind === 'message' && h.outlet === null)?.detail).toMatchObject({ status: 'skipped', rule: 'controlGroup' })
    expect(run?.currentNodeId).toBe('w')
    const stats = await t.engine.stats(id)
    expect(stats.journey).toMatchObject({ users: 1, entered: 0, controlEntered: 1 })
  })

  it('takes control users past a webhook node without queueing the webhook, and records why', async () => {
    const t = await openTestEngine()
    const hookJourney = graph([trigger('t', 'Signed Up'), webhook('hook', 'wh_1'), exit('x')], [edge('t', 'next', 'hook'), edge('hook', 'next', 'x')])
    const id = await publish(t.engine, journeyInput('All control', hookJourney, { controlGroupPercent: 100 }))
    await send(t.engine, track('ann', 'Signed Up'))
    expect(await t.engine.claimOutbox('webhook', 10)).toEqual([])
    const [run] = await t.engine.userRuns(id, 'ann')
    expect(run?.status).toBe('completed')
    const rows = run?.history.filter((h) => h.kind === 'webhook') ?? []
    expect(rows.find((h) => h.outlet === 'next')?.detail).toMatchObject({ status: 'skipped' })
    expect(rows.find((h) => h.outlet === null)?.detail).toMatchObject({ status: 'skipped', rule: 'controlGroup', reason: expect.stringContaining('control group') })
    expect((await t.engine.stats(id)).nodes.hook?.outlets).toEqual({ next: 1 })
  })

  it('holds out about the configured share of runs, the same ones on every evaluation', async () => {
    const t = await openTestEngine()
    const id = await publish(t.engine, journeyInput('Tenth', emailJourney(), { controlGroupPercent: 10, reentry: 'always' }))
    await send(t.engine, ...Array.from({ length: 2000 }, (_, i) => track(`u${i}`, 'Signed Up')))
    const stats = await t.engine.stats(id)
    expect(stats.journey?.controlEntered).toBeGreaterThan(140)
    expect(stats.journey?.controlEntered).toBeLessThan(260)
    expect((stats.journey?.entered ?? 0) + (stats.journey?.controlEntered ?? 0)).toBe(2000)
    expect(await t.engine.claimOutbox('message', 5000)).toHaveLength(stats.journey?.entered ?? -1)
  })
})

describe('targeting cap', () => {
  it('lets no more than the cap of distinct users enter, while those already in may re-enter', async () => {
    const t = await openTestEngine()
    const id = await publish(t.engine, journeyInput('Capped', emailJourney(), { targetingCap: 2, reentry: 'always' }))
    await send(t.engine, track('ann', 'Signed Up'), track('bob', 'Signed Up'), track('cid', 'Signed Up'), track('ann', 'Signed Up'))
    expect(await t.engine.userRuns(id, 'cid')).toEqual([])
    expect(await t.engine.userRuns(id, 'ann')).toHaveLength(2)
    // The count survives a restart: it is kept in the committed counters.
    const t2 = await t.restart()
    await send(t2.engine, track('dan', 'Signed Up'))
    expect(await t2.engine.userRuns(id, 'dan')).toEqual([])
    expect((await t2.engine.stats(id)).journey?.users).toBe(2)
  })
})

describe('goal', () => {
  it('counts a conversion once per run within the window, with the control group apart', async () => {
    const t = await openTestEngine()
    const settings = { goal: { event: 'Purchased', within: days(3), where: { path: 'event.properties.amount', op: 'gt' as const, value: 0 } }, reentry: 'always' as const }
    const id = await publish(t.engine, journeyInput('Goal', emailJourney(), settings))
    const now = t.clock.now()
    await send(t.engine, track('ann', 'Signed Up', {}, now), track('bob', 'Signed Up', {}, now), track('cid', 'Signed Up', {}, now))
    t.clock.advance(DAY)
    await send(
      t.engine,
      track('ann', 'Purchased', { amount: 10 }, now + DAY),
      track('ann', 'Purchased', { amount: 10 }, now + DAY + 1),
      track('bob', 'Purchased', { amount: 0 }, now + DAY),
      track('cid', 'Purchased', { amount: 5 }, now + 4 * DAY),
    )
    const stats = await t.engine.stats(id)
    expect(stats.journey).toMatchObject({ entered: 3, converted: 1, controlConverted: 0 })
  })
})
