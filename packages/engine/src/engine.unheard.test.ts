import { describe, expect, it } from 'vitest'
import { edge, exit, graph, hours, journeyInput, trigger, waitEvent } from '@switchyard/testkit'
import type { Engine } from './engine'
import type { EngineStore } from './store'
import { openSqliteTestEngine, path, publish, track } from '../test/harness'

/** trigger `start` -> wait for `waitFor` within 1 hour -> exit. */
const waitingFor = (waitFor: string) =>
  journeyInput(`waits for ${waitFor}`, graph([trigger('t', 'start'), waitEvent('w', waitFor, hours(1)), exit('done'), exit('late')], [edge('t', 'next', 'w'), edge('w', 'matched', 'done'), edge('w', 'timeout', 'late')]))

/** The users whose state the store is asked for from now on. */
function loadedUsers(store: EngineStore): string[] {
  const seen: string[] = []
  const load = store.loadUsers.bind(store)
  store.loadUsers = async (ids) => {
    seen.push(...ids)
    return load(ids)
  }
  return seen
}

async function runAll(engine: Engine): Promise<void> {
  while ((await engine.processPending()) > 0);
}

describe('track events that nothing hears', () => {
  it('are consumed without loading their users, while the events a wait hears still reach it', async () => {
    const t = await openSqliteTestEngine()
    const id = await publish(t.engine, waitingFor('paid'))
    await t.engine.ingest([track('ann', 'start'), track('bob', 'start')])
    await runAll(t.engine)
    const seen = loadedUsers(t.store)
    const before = t.engine.counters.eventsApplied

    await t.engine.ingest([track('ann', 'page_viewed'), track('carl', 'page_viewed'), track('bob', 'paid')])
    await runAll(t.engine)
    expect(seen).toEqual(['bob'])
    expect(t.engine.counters.eventsApplied - before).toBe(3)
    expect((await t.engine.lag()).pending).toBe(0)
    expect(await path(t.engine, id, 'bob')).toEqual(['entered:t>next', 'entered:w', 'event:w>matched', 'completed:done'])
    expect((await t.engine.userRuns(id, 'ann'))[0]?.status).toBe('active')
  })

  it('still reach a run on an older version after a restart, when only that version hears them', async () => {
    let t = await openSqliteTestEngine()
    const id = await publish(t.engine, waitingFor('paid'))
    await t.engine.ingest([track('ann', 'start')])
    await runAll(t.engine)
    // Version 2 waits for another event; ann stays on version 1, waiting for `paid`.
    await t.engine.updateJourney(id, { graph: waitingFor('renewed').graph })
    expect((await t.engine.publish(id))?.ok).toBe(true)
    t = await t.restart()

    await t.engine.ingest([track('ann', 'paid')])
    await runAll(t.engine)
    expect((await t.engine.userRuns(id, 'ann'))[0]?.status).toBe('completed')
  })

  it('are held for a paused journey, to be applied on resume', async () => {
    const t = await openSqliteTestEngine()
    const id = await publish(t.engine, waitingFor('paid'))
    const other = await publish(t.engine, waitingFor('renewed'))
    await t.engine.ingest([track('ann', 'start')])
    await runAll(t.engine)
    await t.engine.setPaused(other, true)
    const seen = loadedUsers(t.store)
    await t.engine.ingest([track('ann', 'page_viewed')])
    await runAll(t.engine)
    // With a journey paused, every event loads its user: the pause holds what its runs are sent.
    expect(seen).toContain('ann')
    expect(await t.engine.userRuns(id, 'ann')).toHaveLength(1)
  })
})
