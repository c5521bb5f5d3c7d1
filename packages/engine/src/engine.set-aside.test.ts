import { describe, expect, it } from 'vitest'
import { loadExample } from '@switchyard/testkit'
import { newId } from './ids'
import type { JournalEntry } from './records'
import { openTestEngine, publish, track } from '../test/harness'

/**
 * An event whose application throws (a bug met by one user's data) must not stop every user
 * behind it: tried once more from the stored state, then set aside. Faults come from `newId`,
 * which a run's start calls: it throws for the runs this test names by call number.
 */
function faultyIds(failing: Set<number>) {
  let calls = 0
  return (prefix: string, now: number) => {
    if (prefix === 'run' && failing.has(++calls)) throw new Error(`run id ${calls} refused by the test`)
    return newId(prefix, now)
  }
}

describe('an event that fails to apply', () => {
  it('is tried again first in a batch of its own, then set aside, and the users after it go on', async () => {
    const setAside: { entry: JournalEntry; error: unknown }[] = []
    // Batch 1 (ann, bob, carl): ann's run is id 1, bob's start (2) throws. The batch is dropped and
    // ann is applied alone (3). Batch 2 (bob, carl): bob's start (4) throws again, first in its
    // batch: bob's event is set aside. Batch 3 (carl): carl's run (5).
    const t = await openTestEngine(undefined, { newId: faultyIds(new Set([2, 4])), onSetAside: (entry, error) => setAside.push({ entry, error }) })
    const id = await publish(t.engine, loadExample('single-action', 'wh_1'))
    await t.engine.ingest([track('ann', 'App Launched', {}, t.clock.now(), 'ann-1'), track('bob', 'App Launched', {}, t.clock.now(), 'bob-1'), track('carl', 'App Launched', {}, t.clock.now(), 'carl-1')])

    expect(await t.engine.processPending()).toBe(1)
    expect(await t.engine.processPending()).toBe(1)
    expect(setAside.map((s) => s.entry.messageId)).toEqual(['bob-1'])
    expect(String(setAside[0]?.error)).toContain('run id 4 refused')
    expect(await t.engine.processPending()).toBe(1)
    expect(await t.engine.processPending()).toBe(0)

    expect(await t.engine.userRuns(id, 'ann')).toHaveLength(1)
    expect(await t.engine.userRuns(id, 'bob')).toHaveLength(0)
    expect(await t.engine.userRuns(id, 'carl')).toHaveLength(1)
    expect(t.engine.counters).toMatchObject({ eventsApplied: 3, eventsSetAside: 1 })
    expect((await t.engine.lag()).pending).toBe(0)
    // The dropped batch's users entered are not counted twice: ann and carl, once each.
    expect((await t.engine.stats(id)).nodes.t?.entered).toBe(2)

    // It stays passed over after a restart, and the journal still holds it.
    const again = await t.restart()
    expect(await again.engine.processPending()).toBe(0)
    expect(await again.engine.userRuns(id, 'bob')).toHaveLength(0)
  })

  it('applies when it fails only beside the events before it in its batch', async () => {
    const setAside: JournalEntry[] = []
    // bob's start throws once (call 2) in the full batch, and applies when tried first (call 4).
    const t = await openTestEngine(undefined, { newId: faultyIds(new Set([2])), onSetAside: (entry) => setAside.push(entry) })
    const id = await publish(t.engine, loadExample('single-action', 'wh_1'))
    await t.engine.ingest([track('ann', 'App Launched'), track('bob', 'App Launched'), track('carl', 'App Launched')])
    await t.engine.runUntilIdle()
    expect(setAside).toEqual([])
    for (const user of ['ann', 'bob', 'carl']) expect(await t.engine.userRuns(id, user)).toHaveLength(1)
    expect(t.engine.counters).toMatchObject({ eventsApplied: 3, eventsSetAside: 0 })
  })
})
