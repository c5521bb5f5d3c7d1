import { describe, expect, it } from 'vitest'
import { loadExample } from '@switchyard/testkit'
import { openTestEngine, path, publish, send, track } from '../test/harness'

const MIN = 60_000

describe('restart', () => {
  it('picks up waiting users, fires overdue timers at once and runs nothing twice', async () => {
    let t = await openTestEngine()
    const id = await publish(t.engine, loadExample('netcore-cart-rcs', 'wh_cc'))
    await send(t.engine, track('ann', 'add_to_cart'), track('bob', 'add_to_cart'))
    // Accepted but not yet applied when the process stops.
    await t.engine.ingest([track('carl', 'add_to_cart')])
    const messagesBefore = (await t.engine.claimOutbox('message', 10)).map((m) => m.id)
    expect(messagesBefore).toHaveLength(2)

    t = await t.restart()
    await t.engine.processPending()
    expect((await t.engine.userRuns(id, 'carl'))[0]?.currentNodeId).toBe('wait')
    const annMsg = (await t.engine.userRuns(id, 'ann'))[0]?.history.find((h) => h.kind === 'message')?.messageId ?? ''
    await send(t.engine, track('ann', 'rcs.clicked', { messageId: annMsg }))
    expect((await t.engine.userRuns(id, 'ann'))[0]?.status).toBe('completed')

    // Down for an hour: bob's and carl's 15-minute timers are overdue when the process comes back.
    t = await t.restart()
    t.clock.advance(60 * MIN)
    expect(await t.engine.fireDueTimers()).toBe(2)
    expect(await path(t.engine, id, 'bob')).toEqual(['entered:trigger>next', 'message:rcs>next', 'entered:wait', 'timeout:wait>timeout', 'completed:no-click'])

    t = await t.restart()
    await t.engine.runUntilIdle()
    for (const user of ['ann', 'bob', 'carl']) expect(await t.engine.userRuns(id, user)).toHaveLength(1)
    expect((await t.engine.claimOutbox('message', 10)).map((m) => m.id).sort()).toHaveLength(3)
    expect(await t.engine.claimOutbox('webhook', 10)).toHaveLength(1)
    const stats = await t.engine.stats(id)
    expect(stats.nodes.trigger?.entered).toBe(3)
    expect(stats.nodes.wait?.outlets).toEqual({ matched: 1, timeout: 2 })
    expect(await t.store.pendingTimerCount()).toBe(0)
  })
})

describe('deduplication', () => {
  it('stores and applies an event sent twice with the same messageId once', async () => {
    const t = await openTestEngine()
    const id = await publish(t.engine, loadExample('single-action', 'wh_1'))
    const event = track('ann', 'App Launched', {}, t.clock.now(), 'same-id')
    expect(await t.engine.ingest([event])).toEqual({ accepted: 1, duplicates: 0 })
    await t.engine.runUntilIdle()
    expect(await t.engine.ingest([{ ...event, properties: { changed: true } }])).toEqual({ accepted: 0, duplicates: 1 })
    await t.engine.runUntilIdle()
    expect(await t.engine.userRuns(id, 'ann')).toHaveLength(1)
    expect(await t.engine.claimOutbox('webhook', 10)).toHaveLength(1)
    expect((await t.engine.lag()).journalHead).toBe(1)
  })
})

describe('pause and resume', () => {
  it('holds users in place, holds new entries, and applies held events, triggers and due timers on resume', async () => {
    const t = await openTestEngine()
    const id = await publish(t.engine, loadExample('several-actions', 'wh_1'))
    await send(t.engine, track('ann', 'App Launched'), track('bob', 'App Launched'))
    await t.engine.setPaused(id, true)
    // Held events are ordered against timers by when they arrived: on the engine's clock here.
    await send(t.engine, track('ann', 'Notification Viewed', {}, t.clock.now()), track('carl', 'App Launched', {}, t.clock.now()))
    t.clock.advance(2 * 86_400_000)
    await t.engine.runUntilIdle()
    expect((await t.engine.userRuns(id, 'ann'))[0]?.currentNodeId).toBe('w')
    expect((await t.engine.userRuns(id, 'bob'))[0]?.status).toBe('active')
    expect(await t.engine.userRuns(id, 'carl')).toEqual([])

    await t.engine.setPaused(id, false)
    await t.engine.runUntilIdle()
    expect(await path(t.engine, id, 'ann')).toEqual(['entered:t>next', 'entered:w', 'event:w>matched', 'webhook:h>next', 'completed:x1'])
    expect(await path(t.engine, id, 'bob')).toEqual(['entered:t>next', 'entered:w', 'timeout:w>timeout', 'completed:x2'])
    // Carl's trigger arrived during the pause: he enters on resume and waits from then on.
    expect(await path(t.engine, id, 'carl')).toEqual(['entered:t>next', 'entered:w'])
  })
})

describe('versions', () => {
  it('keeps a run on the version it started on after a new publish', async () => {
    const t = await openTestEngine()
    const input = loadExample('several-actions', 'wh_1')
    const id = await publish(t.engine, input)
    await send(t.engine, track('ann', 'App Launched'))
    const nodes = input.graph.nodes.map((n) => (n.id === 'w' ? { ...n, data: { ...n.data, within: { amount: 2, unit: 'days' } } } : n))
    await t.engine.updateJourney(id, { graph: { ...input.graph, nodes } })
    const result = await t.engine.publish(id)
    expect(result).toEqual({ ok: true, version: 2, activeUsersOnOlderVersions: 1 })
    await send(t.engine, track('bob', 'App Launched'))
    const ann = (await t.engine.userRuns(id, 'ann'))[0]
    const bob = (await t.engine.userRuns(id, 'bob'))[0]
    expect([ann?.version, bob?.version]).toEqual([1, 2])
    t.clock.advance(86_400_000)
    await t.engine.runUntilIdle()
    expect((await t.engine.userRuns(id, 'ann'))[0]?.status).toBe('completed')
    expect((await t.engine.userRuns(id, 'bob'))[0]?.status).toBe('active')
  })
})

describe('exit events and deletion', () => {
  it('takes a user out wherever they are when they perform an exit event', async () => {
    const t = await openTestEngine()
    const input = loadExample('several-actions', 'wh_1')
    const id = await publish(t.engine, { ...input, settings: { ...input.settings, exitEvents: ['Unsubscribed'] } })
    await send(t.engine, track('ann', 'App Launched'))
    await send(t.engine, track('ann', 'Unsubscribed'))
    const [run] = await t.engine.userRuns(id, 'ann')
    expect(run?.status).toBe('exited')
    expect(run?.history.at(-1)?.kind).toBe('exited')
    expect(await t.store.pendingTimerCount()).toBe(0)
  })

  it('refuses to delete a journey with active users unless asked to exit them', async () => {
    const t = await openTestEngine()
    const id = await publish(t.engine, loadExample('inaction', 'wh_1'))
    await send(t.engine, track('ann', 'App Launched'))
    expect(await t.engine.deleteJourney(id, { exitUsers: false })).toMatchObject({ ok: false, code: 'journey.has_active_users' })
    expect(await t.engine.deleteJourney(id, { exitUsers: true })).toEqual({ ok: true })
    expect(await t.engine.getJourney(id)).toBeNull()
    expect(await t.store.pendingTimerCount()).toBe(0)
    await send(t.engine, track('bob', 'App Launched'))
    expect(await t.engine.userRuns(id, 'bob')).toEqual([])
  })
})

describe('publishing', () => {
  it('answers every validation issue and creates no version', async () => {
    const t = await openTestEngine()
    const input = loadExample('netcore-cart-rcs', 'wh_1')
    const j = await t.engine.createJourney({ ...input, graph: { ...input.graph, edges: input.graph.edges.filter((e) => e.sourceHandle !== 'timeout') } })
    const result = await t.engine.publish(j.id)
    expect(result).toMatchObject({
      ok: false,
      issues: [
        { code: 'outlet.unconnected', nodeId: 'wait' },
        { code: 'node.unreachable', nodeId: 'no-click' },
      ],
    })
    expect(await t.engine.listVersions(j.id)).toEqual([])
  })
})

describe('the outbox', () => {
  it('keeps a deferred job out of claims until it is due, across a restart, counting the attempt', async () => {
    let t = await openTestEngine()
    await publish(t.engine, loadExample('netcore-cart-rcs', 'wh_cc'))
    await send(t.engine, track('ann', 'add_to_cart'), track('bob', 'add_to_cart'))
    const [first, second] = await t.engine.claimOutbox('message', 10)
    expect(first && second).toBeTruthy()
    await t.engine.deferOutbox(first?.id ?? '', t.clock.now() + 10 * MIN)
    expect((await t.engine.claimOutbox('message', 10)).map((c) => c.id)).toEqual([second?.id])
    t = await t.restart()
    t.clock.advance(10 * MIN - 1)
    expect((await t.engine.claimOutbox('message', 10)).map((c) => c.id)).toEqual([second?.id])
    t.clock.advance(1)
    const due = await t.engine.claimOutbox('message', 10)
    expect(due.map((c) => [c.id, c.attempts])).toEqual([
      [second?.id, 0],
      [first?.id, 1],
    ])
  })
})
