import { beforeEach, describe, expect, it } from 'vitest'
import type { EngineStore } from '../store'
import type { ContractSection } from '../store-contract'
import { T0, journey, version, runOf, hist, timer, counter, watch, sortBy } from './fixtures'

/** Journeys and versions, and the inspection reads. */
export function journeysContract({ current, commit, runsMap }: ContractSection): void {
  describe('journeys', () => {
    let s: EngineStore
    beforeEach(() => {
      s = current().store
    })

    it('inserts, updates, lists newest first and reads journeys; versions in order; published ones with their latest version', async () => {
      const a = journey('a', 'draft', T0)
      const b = journey('b', 'live', T0 + 1)
      await s.insertJourney(a)
      await s.insertJourney(b)
      await s.updateDraft({ ...a, name: 'renamed', updatedAt: T0 + 5 })
      expect((await s.listJourneys()).map((j) => j.id)).toEqual(['b', 'a'])
      expect(await s.getJourney('a')).toEqual({ ...a, name: 'renamed', updatedAt: T0 + 5 })
      expect(await s.getJourney('missing')).toBeNull()
      expect(await s.publishedJourneys()).toEqual([])
      await s.insertVersion(version('b', 1), { ...b, version: 1 })
      await s.insertVersion(version('b', 2), { ...b, version: 2 })
      expect((await s.listVersions('b')).map((v) => v.version)).toEqual([1, 2])
      expect(await s.getVersion('b', 1)).toEqual(version('b', 1))
      expect(await s.getVersion('b', 3)).toBeNull()
      expect(await s.publishedJourneys()).toEqual([{ journey: { ...b, version: 2 }, latest: version('b', 2) }])
    })

    it('writes a draft edit, a publish and a pause each to their own columns, so a stale record puts nothing back', async () => {
      const a = journey('a', 'draft', T0)
      await s.insertJourney(a)
      // The edit and the pause below both carry the row as read before this publish (`a`).
      await s.insertVersion(version('a', 1), { ...a, status: 'live', version: 1, publishedDraftHash: 'h1', updatedAt: T0 + 1 })
      await s.updateDraft({ ...a, name: 'edited', settings: { reentry: 'never' }, updatedAt: T0 + 2 })
      await s.updateStatus({ ...a, status: 'paused', updatedAt: T0 + 3 })
      expect(await s.getJourney('a')).toEqual({ ...a, name: 'edited', settings: { reentry: 'never' }, status: 'paused', version: 1, publishedDraftHash: 'h1', updatedAt: T0 + 3 })
      // The next publish finds version 1 stored and writes version 2.
      await s.insertVersion(version('a', 2), { ...a, status: 'live', version: 2, publishedDraftHash: 'h2', updatedAt: T0 + 4 })
      expect(await s.getJourney('a')).toMatchObject({ name: 'edited', status: 'live', version: 2, publishedDraftHash: 'h2' })
    })

    it('deletes a journey with everything of it and nothing of another', async () => {
      for (const id of ['j1', 'j2']) {
        await s.insertJourney(journey(id))
        await commit({
          runs: runsMap(runOf(`r-${id}`, id, 'ann')),
          history: [hist(`r-${id}`, id, 'entered', T0)],
          timersSet: [timer(`r-${id}`, 'w', id, 'ann', T0)],
          counters: [counter(id, 't', 'entered', 1)],
          held: [{ runId: `r-${id}`, journeyId: id, seq: 1 }],
          entered: [{ userId: 'ann', journeyId: id }],
          goalWatchesSet: [watch(`r-${id}`, id, 'ann')],
        })
      }
      await s.deleteJourney('j1')
      expect(await s.getJourney('j1')).toBeNull()
      expect(await s.runsOf('j1', 'ann')).toEqual([])
      expect(await s.counters('j1')).toEqual([])
      expect(await s.heldEvents('j1', 10)).toEqual([])
      expect(await s.dueTimers(T0, 10)).toEqual([timer('r-j2', 'w', 'j2', 'ann', T0)])
      const ann = (await s.loadUsers(['ann'])).get('ann')!
      expect([...ann.enteredJourneys]).toEqual(['j2'])
      expect(ann.goalWatches.map((w) => w.runId)).toEqual(['r-j2'])
      expect(await s.runsOf('j2', 'ann')).toHaveLength(1)
    })
  })

  describe('inspection', () => {
    let s: EngineStore
    beforeEach(() => {
      s = current().store
    })

    it('pages a user’s runs newest first and a run’s history oldest first', async () => {
      await commit({
        runs: runsMap(runOf('r1', 'j1', 'ann', { startedAt: T0 }), runOf('r2', 'j1', 'ann', { startedAt: T0 + 10 }), runOf('r3', 'j1', 'ann', { startedAt: T0 + 10 }), runOf('r4', 'j1', 'bob')),
        history: Array.from({ length: 5 }, (_, i) => hist('r1', 'j1', 'event', T0 + i)),
      })
      const first = await s.runsPage('j1', 'ann', { limit: 2 })
      expect(first.map((r) => r.runId)).toEqual(['r3', 'r2'])
      const last = first[1]!
      expect((await s.runsPage('j1', 'ann', { before: { startedAt: last.startedAt, runId: last.runId }, limit: 2 })).map((r) => r.runId)).toEqual(['r1'])
      const h1 = await s.historyPage('r1', { afterId: 0, limit: 3 })
      expect(h1.map((h) => h.record.at)).toEqual([T0, T0 + 1, T0 + 2])
      const h2 = await s.historyPage('r1', { afterId: h1[2]!.id, limit: 3 })
      expect(h2.map((h) => h.record.at)).toEqual([T0 + 3, T0 + 4])
      expect((await s.runsOf('j1', 'ann')).map((r) => [r.runId, r.history.length])).toEqual([
        ['r3', 0],
        ['r2', 0],
        ['r1', 5],
      ])
    })

    it('lists a journey’s users by prefix, most recent first, with their run count and latest run', async () => {
      await commit({
        runs: runsMap(
          runOf('r1', 'j1', 'user-1', { status: 'completed', endedAt: T0 + 50 }),
          runOf('r2', 'j1', 'user-1', { currentNodeId: 'w' }),
          runOf('r3', 'j1', 'user-2', { startedAt: T0 + 100 }),
          runOf('r4', 'j1', 'other'),
          runOf('r5', 'j2', 'user-3'),
        ),
      })
      const users = await s.usersOf('j1', { prefix: 'user-', limit: 10 })
      expect(users.map((u) => [u.userId, u.runs])).toEqual([
        ['user-2', 1],
        ['user-1', 2],
      ])
      expect(users[1]).toMatchObject({ status: 'active', currentNodeId: 'w', lastActivityAt: T0 + 50 })
      expect((await s.usersOf('j1', { limit: 10 })).map((u) => u.userId).sort()).toEqual(['other', 'user-1', 'user-2'])
      expect(await s.usersOf('j1', { limit: 1 })).toHaveLength(1)
      expect(await s.usersOf('j1', { prefix: 'zzz', limit: 10 })).toEqual([])
    })

    it('counts active runs per journey and per version and node, and lists a journey’s active runs', async () => {
      await commit({
        runs: runsMap(
          runOf('r1', 'j1', 'a', { currentNodeId: 'w' }),
          runOf('r2', 'j1', 'b', { currentNodeId: 'w' }),
          runOf('r3', 'j1', 'c', { currentNodeId: 'w', version: 2, startedAt: T0 - 1 }),
          runOf('r4', 'j1', 'd', { status: 'exited', endedAt: T0 }),
          runOf('r5', 'j2', 'e'),
        ),
        counters: [counter('j1', 'w', 'entered', 3), counter('j1', 'w', 'outlet:matched', 1)],
      })
      expect(Object.fromEntries(await s.activeTotals())).toEqual({ j1: 3, j2: 1 })
      expect(sortBy(await s.activeCounts('j1'), (a) => `${a.version}`)).toEqual([
        { version: 1, nodeId: 'w', count: 2 },
        { version: 2, nodeId: 'w', count: 1 },
      ])
      expect((await s.activeRuns('j1')).map((r) => r.runId)).toEqual(['r3', 'r1', 'r2'])
      const stats = await s.stats('j1')
      expect(stats.nodes.w).toMatchObject({ entered: 3, active: 3, outlets: { matched: 1 } })
      expect((await s.stats('j1', 2)).nodes.w).toMatchObject({ entered: 0, active: 1 })
    })

    it('holds events for a paused journey in sequence order and releases them', async () => {
      await commit({
        held: [
          { runId: 'r1', journeyId: 'j1', seq: 5 },
          { runId: 'r1', journeyId: 'j1', seq: 2 },
          { runId: 'r2', journeyId: 'j1', seq: 9 },
          { runId: 'r3', journeyId: 'j2', seq: 1 },
        ],
      })
      expect(await s.heldEvents('j1', 10)).toEqual([
        { runId: 'r1', seq: 2 },
        { runId: 'r1', seq: 5 },
        { runId: 'r2', seq: 9 },
      ])
      expect(await s.heldEvents('j1', 1)).toEqual([{ runId: 'r1', seq: 2 }])
      await commit({ heldReleased: [{ runId: 'r1', seq: 2 }, { runId: 'r2', seq: 9 }] })
      expect(await s.heldEvents('j1', 10)).toEqual([{ runId: 'r1', seq: 5 }])
    })

    it('appends history rows outside a commit, in order', async () => {
      await s.appendHistory([hist('r1', 'j1', 'webhook', T0), hist('r1', 'j1', 'message', T0 - 1)])
      await s.appendHistory([])
      expect((await s.historyPage('r1', { afterId: 0, limit: 10 })).map((h) => h.record.kind)).toEqual(['webhook', 'message'])
    })
  })
}
