import { beforeEach, describe, expect, it } from 'vitest'
import type { EngineStore } from '../store'
import type { ContractSection } from '../store-contract'
import { T0, DAY, journey, runOf, timer, watch } from './fixtures'

/** Users, their runs, and timers. */
export function runsContract({ current, commit, runsMap }: ContractSection): void {
  describe('users and runs', () => {
    let s: EngineStore
    beforeEach(() => {
      s = current().store
    })

    it('loads each asked user, with traits, active runs only, entered journeys and goal watches', async () => {
      await commit({
        users: new Map([['ann', { userId: 'ann', traits: { tier: 1 } }]]),
        runs: runsMap(runOf('r1', 'j1', 'ann'), runOf('r2', 'j2', 'ann', { status: 'completed', endedAt: T0 + 5 }), runOf('r3', 'j1', 'bob')),
        entered: [
          { userId: 'ann', journeyId: 'j1' },
          { userId: 'ann', journeyId: 'j2' },
          { userId: 'ann', journeyId: 'j2' },
        ],
        goalWatchesSet: [watch('r1', 'j1', 'ann'), watch('r3', 'j1', 'bob')],
      })
      await commit({ goalWatchesCleared: ['r3'], goalWatchesSet: [{ ...watch('r1', 'j1', 'ann'), outlets: { s: 'a' } }] })
      const users = await s.loadUsers(['ann', 'bob', 'nobody'])
      expect([...users.keys()]).toEqual(['ann', 'bob', 'nobody'])
      const ann = users.get('ann')!
      expect(ann.traits).toEqual({ tier: 1 })
      expect(ann.activeRuns.map((r) => r.runId)).toEqual(['r1'])
      expect([...ann.enteredJourneys].sort()).toEqual(['j1', 'j2'])
      expect(ann.goalWatches).toEqual([{ ...watch('r1', 'j1', 'ann'), outlets: { s: 'a' } }])
      expect(users.get('bob')?.goalWatches).toEqual([])
      expect(users.get('nobody')).toEqual({ userId: 'nobody', traits: {}, activeRuns: [], enteredJourneys: new Set(), goalWatches: [] })
      expect((await s.loadUsers([])).size).toBe(0)
    })

    it('loads runs by id, updates them in place, and keeps a user upsert to the latest traits', async () => {
      await commit({ runs: runsMap(runOf('r1', 'j1', 'ann'), runOf('r2', 'j1', 'bob')), users: new Map([['ann', { userId: 'ann', traits: { a: 1 } }]]) })
      const moved = runOf('r1', 'j1', 'ann', { currentNodeId: 'w2', stateKey: '"w2"', waitingUntil: T0 + DAY })
      await commit({ runs: runsMap(moved), users: new Map([['ann', { userId: 'ann', traits: { a: 2 } }]]) })
      const runs = await s.loadRuns(['r1', 'r2', 'missing'])
      expect([...runs.keys()].sort()).toEqual(['r1', 'r2'])
      expect(runs.get('r1')).toEqual(moved)
      expect((await s.getUser('ann'))?.traits).toEqual({ a: 2 })
      expect(await s.getUser('bob')).toBeNull()
      expect((await s.loadRuns([])).size).toBe(0)
    })
  })

  describe('timers', () => {
    let s: EngineStore
    beforeEach(() => {
      s = current().store
    })

    it('gives due timers of live journeys soonest first, up to the limit, and the next due time', async () => {
      await s.insertJourney(journey('live'))
      await s.insertJourney(journey('paused', 'paused'))
      await commit({
        timersSet: [
          timer('r1', 'w', 'live', 'ann', T0 + 30),
          timer('r2', 'w', 'live', 'bob', T0 + 10),
          timer('r3', 'w', 'live', 'carl', T0 + 20),
          timer('r4', 'w', 'paused', 'dan', T0 + 5),
          timer('r5', 'w', 'live', 'eve', T0 + 100),
        ],
      })
      expect((await s.dueTimers(T0 + 30, 10)).map((t) => t.runId)).toEqual(['r2', 'r3', 'r1'])
      expect((await s.dueTimers(T0 + 30, 2)).map((t) => t.runId)).toEqual(['r2', 'r3'])
      expect(await s.dueTimers(T0, 10)).toEqual([])
      expect(await s.nextTimerDue()).toBe(T0 + 10)
      expect(await s.pendingTimerCount()).toBe(5)
      expect(await s.dueTimersOf('paused', T0 + 30, 10)).toEqual([timer('r4', 'w', 'paused', 'dan', T0 + 5)])
    })

    it('moves a timer set again, clears cleared ones, and has no next due time without live timers', async () => {
      await s.insertJourney(journey('live'))
      expect(await s.nextTimerDue()).toBeNull()
      await commit({ timersSet: [timer('r1', 'w', 'live', 'ann', T0 + 10), timer('r1', 'w', 'live', 'ann', T0 + 50), timer('r2', 'w', 'live', 'bob', T0 + 20)] })
      expect(await s.nextTimerDue()).toBe(T0 + 20)
      await commit({ timersCleared: [{ runId: 'r2', nodeId: 'w' }], timersSet: [timer('r1', 'w', 'live', 'ann', T0 + 40)] })
      expect(await s.dueTimers(T0 + 100, 10)).toEqual([timer('r1', 'w', 'live', 'ann', T0 + 40)])
      await commit({ timersCleared: [{ runId: 'r1', nodeId: 'w' }] })
      expect(await s.nextTimerDue()).toBeNull()
      expect(await s.pendingTimerCount()).toBe(0)
    })
  })
}
