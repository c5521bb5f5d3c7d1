import { describe, expect, it } from 'vitest'
import { action, days, delayFor, edge, exit, graph, hours, trigger, waitEvent } from '@switchyard/testkit'
import { testApp, type TestApp } from '../test/harness'

const HOUR = 3_600_000
const USERS = Array.from({ length: 20 }, (_, i) => `u${String(i).padStart(2, '0')}`)

/** v1: sign-up -> wait 2 days for a purchase -> done, or out on timeout. */
const v1 = graph(
  [trigger('t', 'signed_up'), waitEvent('wait', 'purchase', days(2)), exit('done'), exit('out')],
  [edge('t', 'next', 'wait'), edge('wait', 'matched', 'done'), edge('wait', 'timeout', 'out')],
)
/** v2: an SMS nudge inserted after the wait's timeout. */
const v2 = graph(
  [trigger('t', 'signed_up'), waitEvent('wait', 'purchase', days(2)), action('nudge', 'sms', { text: 'Still thinking?' }), exit('done'), exit('out')],
  [edge('t', 'next', 'wait'), edge('wait', 'matched', 'done'), edge('wait', 'timeout', 'nudge'), edge('nudge', 'next', 'out')],
)

/** A journey on v1 with 20 users waiting at `wait` since `enteredAt`; the clock is then an hour on. */
async function twentyWaiting(): Promise<{ t: TestApp; id: string; enteredAt: number }> {
  const t = await testApp()
  const id: string = (await t.request('POST', '/api/journeys', { name: 'Sign-ups', graph: v1 })).json.id
  expect((await t.request('POST', `/api/journeys/${id}/publish`)).json.version).toBe(1)
  const enteredAt = t.clock.now()
  const batch = USERS.map((userId) => ({ type: 'track', userId, event: 'signed_up', messageId: `s-${userId}` }))
  expect((await t.request('POST', '/v1/batch', { batch })).status).toBe(200)
  await t.dispatch()
  t.clock.advance(HOUR)
  return { t, id, enteredAt }
}

const steps = (history: { kind: string; nodeId: string; outlet: string | null }[]) =>
  history.filter((h) => h.outlet !== null || !['message', 'webhook'].includes(h.kind)).map((h) => `${h.kind}:${h.nodeId}${h.outlet ? `>${h.outlet}` : ''}`)

async function runOf(t: TestApp, id: string, userId: string) {
  const runs = (await t.request('GET', `/api/journeys/${id}/users/${userId}`)).json.runs
  expect(runs).toHaveLength(1)
  return runs[0]
}

describe('re-publish with migration', () => {
  it('previews 20 users at the wait, moves them to v2 keeping their due time, and their timeout takes the v2 path', async () => {
    const { t, id, enteredAt } = await twentyWaiting()
    await t.request('PUT', `/api/journeys/${id}`, { graph: v2 })
    const preview = await t.request('POST', `/api/journeys/${id}/publish/preview`, { migrate: { policy: 'move' } })
    expect(preview.status).toBe(200)
    expect(preview.json).toEqual({
      diff: { added: ['nudge'], removed: [], changed: ['wait'] },
      waiting: [{ version: 1, nodeId: 'wait', users: 20, to: 'wait', action: 'move' }],
      version: 2,
    })
    // A preview changes nothing.
    expect((await runOf(t, id, 'u00')).version).toBe(1)

    const published = await t.request('POST', `/api/journeys/${id}/publish`, { migrate: { policy: 'move' } })
    expect(published.json).toEqual({ version: 2, activeUsersOnOlderVersions: 0, migrated: { moved: 20, exited: 0, kept: 0 } })
    const due = new Date(enteredAt + 2 * 24 * HOUR).toISOString()
    for (const userId of USERS) {
      const run = await runOf(t, id, userId)
      expect(run).toMatchObject({ version: 2, status: 'active', currentNodeId: 'wait', waitingUntil: due })
      expect(run.history.at(-1)).toMatchObject({ kind: 'migrated', nodeId: 'wait', outlet: null, detail: { fromVersion: 1, toVersion: 2, fromNodeId: 'wait', toNodeId: 'wait', waitingUntil: due } })
    }
    expect((await t.request('GET', `/api/journeys/${id}/stats?version=2`)).json.nodes.wait.active).toBe(20)

    // One second before the original due time nothing fires; at it, every run times out into the nudge.
    t.clock.set(enteredAt + 2 * 24 * HOUR - 1000)
    await t.dispatch()
    expect((await runOf(t, id, 'u07')).status).toBe('active')
    t.clock.set(enteredAt + 2 * 24 * HOUR)
    await t.dispatch()
    for (const userId of USERS) {
      const run = await runOf(t, id, userId)
      expect(run.status).toBe('completed')
      expect(steps(run.history)).toEqual(['entered:t>next', 'entered:wait', 'migrated:wait', 'timeout:wait>timeout', 'message:nudge>next', 'completed:out'])
    }
  })

  it('keep leaves waiting runs on v1, where their timeout takes the v1 path', async () => {
    const { t, id, enteredAt } = await twentyWaiting()
    await t.request('PUT', `/api/journeys/${id}`, { graph: v2 })
    const preview = await t.request('POST', `/api/journeys/${id}/publish/preview`, { migrate: { policy: 'keep' } })
    expect(preview.json.waiting).toEqual([{ version: 1, nodeId: 'wait', users: 20, to: 'wait', action: 'keep' }])
    // No body at all is keep, as before migrations existed.
    const published = await t.request('POST', `/api/journeys/${id}/publish`)
    expect(published.json).toEqual({ version: 2, activeUsersOnOlderVersions: 20 })
    t.clock.set(enteredAt + 2 * 24 * HOUR)
    await t.dispatch()
    const run = await runOf(t, id, 'u03')
    expect(run.version).toBe(1)
    expect(steps(run.history)).toEqual(['entered:t>next', 'entered:wait', 'timeout:wait>timeout', 'completed:out'])
  })

  it('onRemoved: exit takes out the runs at a removed step; keep leaves them on their version', async () => {
    const { t, id } = await twentyWaiting()
    const v3 = graph([trigger('t', 'signed_up'), delayFor('pause', hours(1)), exit('out')], [edge('t', 'next', 'pause'), edge('pause', 'next', 'out')])
    await t.request('PUT', `/api/journeys/${id}`, { graph: v3 })
    const kept = await t.request('POST', `/api/journeys/${id}/publish/preview`, { migrate: { policy: 'move' } })
    expect(kept.json.diff).toEqual({ added: ['pause'], removed: ['done', 'wait'], changed: ['t'] })
    expect(kept.json.waiting).toEqual([{ version: 1, nodeId: 'wait', users: 20, to: null, action: 'keep' }])
    const published = await t.request('POST', `/api/journeys/${id}/publish`, { migrate: { policy: 'move', onRemoved: 'exit' } })
    expect(published.json).toEqual({ version: 2, activeUsersOnOlderVersions: 0, migrated: { moved: 0, exited: 20, kept: 0 } })
    const run = await runOf(t, id, 'u11')
    expect(run).toMatchObject({ version: 1, status: 'exited', waitingUntil: null })
    expect(run.history.at(-1)).toMatchObject({ kind: 'exited', nodeId: 'wait', detail: { reason: expect.stringContaining('onRemoved: exit') } })
    expect((await t.request('GET', `/api/journeys/${id}/stats`)).json.nodes.wait.active).toBe(0)
  })

  it('moves runs to a renamed step through the map, with their timer under the new id', async () => {
    const { t, id, enteredAt } = await twentyWaiting()
    const renamed = graph(
      [trigger('t', 'signed_up'), waitEvent('wait-2', 'purchase', days(5)), action('nudge', 'sms', { text: 'Still thinking?' }), exit('done'), exit('out')],
      [edge('t', 'next', 'wait-2'), edge('wait-2', 'matched', 'done'), edge('wait-2', 'timeout', 'nudge'), edge('nudge', 'next', 'out')],
    )
    await t.request('PUT', `/api/journeys/${id}`, { graph: renamed })
    const bad = await t.request('POST', `/api/journeys/${id}/publish`, { migrate: { policy: 'move', map: { wait: 'nudge' } } })
    expect(bad.status).toBe(422)
    expect(bad.json.error).toMatchObject({ code: 'migration.invalid_map', message: expect.stringContaining('map a step to one of the same kind') })
    const missing = await t.request('POST', `/api/journeys/${id}/publish/preview`, { migrate: { policy: 'move', map: { wait: 'nowhere' } } })
    expect(missing.json.error).toMatchObject({ code: 'migration.invalid_map', message: expect.stringContaining('has no step “nowhere”') })
    // A refused publish made no version.
    expect((await t.request('GET', `/api/journeys/${id}/versions`)).json.versions).toHaveLength(1)

    const moved = await t.request('POST', `/api/journeys/${id}/publish`, { migrate: { policy: 'move', map: { wait: 'wait-2' } } })
    expect(moved.json.migrated).toEqual({ moved: 20, exited: 0, kept: 0 })
    // The due time is the one v1 set (2 days), not the new step's 5 days.
    t.clock.set(enteredAt + 2 * 24 * HOUR)
    await t.dispatch()
    const run = await runOf(t, id, 'u19')
    expect(steps(run.history)).toEqual(['entered:t>next', 'entered:wait', 'migrated:wait-2', 'timeout:wait-2>timeout', 'message:nudge>next', 'completed:out'])
  })

  it('refuses a migrate body it cannot read with a 400 that says where', async () => {
    const t = await testApp()
    const id: string = (await t.request('POST', '/api/journeys', { name: 'x', graph: v1 })).json.id
    const res = await t.request('POST', `/api/journeys/${id}/publish`, { migrate: { policy: 'teleport' } })
    expect(res.status).toBe(400)
    expect(res.json.error).toMatchObject({ code: 'body.invalid', message: expect.stringContaining('migrate.policy') })
    expect((await t.request('POST', '/api/journeys/nope/publish/preview')).status).toBe(404)
  })
})
