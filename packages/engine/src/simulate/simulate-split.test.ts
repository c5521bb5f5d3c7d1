import { describe, expect, it } from 'vitest'
import { edge, exit, graph, journeyInput, split, trigger } from '@switchyard/testkit'
import { openTestEngine, publish, send, track } from '../../test/harness'
import { simulateJourney } from './simulate'

const START = Date.parse('2026-06-01T00:00:00Z')

describe('a split in a simulation', () => {
  it('sends every user down the branch the live engine sends them, and counts the branches the same', async () => {
    const input = journeyInput(
      'Cohorts',
      graph(
        [trigger('t', 'Signed Up'), split('s', { a: 20, b: 30, c: 50 }), exit('xa'), exit('xb'), exit('xc')],
        [edge('t', 'next', 's'), edge('s', 'a', 'xa'), edge('s', 'b', 'xb'), edge('s', 'c', 'xc')],
      ),
    )
    const users = Array.from({ length: 300 }, (_, i) => `user-${i}`)
    const t = await openTestEngine()
    const journeyId = await publish(t.engine, input)
    await send(t.engine, ...users.map((u) => track(u, 'Signed Up')))

    const sim = await simulateJourney({
      journey: { id: journeyId, name: input.name, graph: input.graph, settings: input.settings },
      references: {},
      renderer: { message: async () => ({ ok: true, rendered: {} }), webhook: async () => ({ ok: true, rendered: {} }) },
      start: START,
      until: START + 60_000,
      users: [],
      events: users.map((userId) => ({ at: '+0s', atMs: START, userId, type: 'track' as const, event: 'Signed Up' })),
    })
    if (!sim.ok) throw new Error(JSON.stringify(sim.issues))
    for (const u of sim.answer.users) {
      const [run] = await t.engine.userRuns(journeyId, u.userId)
      const live = run?.history.find((h) => h.kind === 'branch')
      const simulated = u.path.find((h) => h.kind === 'branch')
      expect(simulated?.outlet, u.userId).toBe(live?.outlet)
      expect(simulated?.detail).toEqual(live?.detail)
    }
    const liveBranches = (await t.engine.stats(journeyId)).nodes.s?.branches
    expect(sim.answer.stats.nodes.s?.branches).toEqual(liveBranches)
    expect(Object.values(liveBranches ?? {}).every((b) => b.entered > 0)).toBe(true)
  })
})
