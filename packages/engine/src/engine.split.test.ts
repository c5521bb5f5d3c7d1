import { describe, expect, it } from 'vitest'
import { days, edge, exit, graph, journeyInput, split, trigger } from '@switchyard/testkit'
import { openTestEngine, publish, send, track } from '../test/harness'

const DAY = 86_400_000

/** trigger -> split -> one exit per branch. */
function splitJourney(percents: Record<string, number>, winnerAfter?: ReturnType<typeof days>) {
  const branches = Object.keys(percents)
  return graph(
    [trigger('t', 'Signed Up'), split('s', percents, winnerAfter), ...branches.map((b) => exit(`end-${b}`))],
    [edge('t', 'next', 's'), ...branches.map((b) => edge('s', b, `end-${b}`))],
  )
}

function users(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `user-${from + i}`)
}

async function branchOf(t: Awaited<ReturnType<typeof openTestEngine>>, journeyId: string, userId: string): Promise<string[]> {
  const runs = await t.engine.userRuns(journeyId, userId)
  return runs.map((r) => r.history.find((h) => h.kind === 'branch' && h.nodeId === 's')?.outlet ?? '?')
}

describe('split: assignment by weight', () => {
  it('sends 50/50 over 1,000 users within 45-55% each, and counts each branch', async () => {
    const t = await openTestEngine()
    const id = await publish(t.engine, journeyInput('A/B', splitJourney({ a: 50, b: 50 })))
    await send(t.engine, ...users(1000).map((u) => track(u, 'Signed Up')))
    const stats = await t.engine.stats(id)
    const a = stats.nodes.s?.branches?.a?.entered ?? 0
    const b = stats.nodes.s?.branches?.b?.entered ?? 0
    expect(a + b).toBe(1000)
    expect(a).toBeGreaterThanOrEqual(450)
    expect(a).toBeLessThanOrEqual(550)
    expect(stats.nodes.s?.outlets).toEqual({ a, b })
    expect(stats.nodes['end-a']?.entered).toBe(a)
  })

  it('sends 20/30/50 over 2,000 users within 4 points of each share', async () => {
    const t = await openTestEngine()
    const id = await publish(t.engine, journeyInput('Cohorts', splitJourney({ small: 20, mid: 30, big: 50 })))
    await send(t.engine, ...users(2000).map((u) => track(u, 'Signed Up')))
    const branches = (await t.engine.stats(id)).nodes.s?.branches ?? {}
    for (const [branch, share] of [['small', 20], ['mid', 30], ['big', 50]] as const) {
      const percent = ((branches[branch]?.entered ?? 0) / 2000) * 100
      expect(Math.abs(percent - share), `${branch}: ${percent}%`).toBeLessThanOrEqual(4)
    }
  })

  it('keeps a user on the same branch on re-entry, and says why in the history', async () => {
    const t = await openTestEngine()
    const id = await publish(t.engine, journeyInput('Again', splitJourney({ a: 50, b: 50 }), { reentry: 'always' }))
    const people = users(40)
    await send(t.engine, ...people.map((u) => track(u, 'Signed Up')))
    await send(t.engine, ...people.map((u) => track(u, 'Signed Up')))
    const seen = new Set<string>()
    for (const u of people) {
      const [first, second, ...rest] = await branchOf(t, id, u)
      expect(rest).toEqual([])
      expect(second).toBe(first)
      seen.add(first ?? '')
    }
    expect([...seen].sort()).toEqual(['a', 'b'])
    const [run] = await t.engine.userRuns(id, 'user-0')
    const row = run?.history.find((h) => h.kind === 'branch')
    expect(row?.detail).toMatchObject({ branch: row?.outlet, percent: 50, rule: 'weight', reason: expect.stringContaining('Assigned by weight') })
  })
})

describe('split: winner rule', () => {
  it('sends every new arrival down the best-converting branch once `after` has passed, chosen once and kept', async () => {
    const t = await openTestEngine()
    const goal = { event: 'Purchased', within: days(7) }
    const id = await publish(t.engine, journeyInput('Winner', splitJourney({ a: 50, b: 50 }, days(3)), { goal, reentry: 'always' }))
    const start = t.clock.now()
    const early = users(200)
    await send(t.engine, ...early.map((u) => track(u, 'Signed Up', {}, start)))
    // Those on b convert; those on a do not.
    const onB: string[] = []
    for (const u of early) if ((await branchOf(t, id, u))[0] === 'b') onB.push(u)
    await send(t.engine, ...onB.map((u) => track(u, 'Purchased', {}, start + 1000)))
    let stats = await t.engine.stats(id)
    expect(stats.nodes.s?.branches?.b).toEqual({ entered: onB.length, converted: onB.length, rate: 1 })
    expect(stats.nodes.s?.branches?.a).toMatchObject({ converted: 0, rate: 0 })
    expect(stats.nodes.s?.winner).toBeUndefined()

    // Before `after`, new arrivals still split by weight.
    t.clock.advance(2 * DAY)
    await send(t.engine, ...users(100, 1000).map((u) => track(u, 'Signed Up', {}, t.clock.now())))
    const beforeWinner = await Promise.all(users(100, 1000).map(async (u) => (await branchOf(t, id, u))[0]))
    expect(new Set(beforeWinner)).toEqual(new Set(['a', 'b']))

    // After it, every new arrival (and a re-entering user who was on a) takes b.
    t.clock.advance(1 * DAY + 1000)
    const late = users(100, 2000)
    const wasOnA = early.find((u) => !onB.includes(u)) ?? ''
    await send(t.engine, ...[...late, wasOnA].map((u) => track(u, 'Signed Up', {}, t.clock.now())))
    for (const u of late) expect(await branchOf(t, id, u)).toEqual(['b'])
    expect((await branchOf(t, id, wasOnA)).sort()).toEqual(['a', 'b'])
    const [run] = await t.engine.userRuns(id, late[0] ?? '')
    expect(run?.history.find((h) => h.kind === 'branch')?.detail).toMatchObject({ branch: 'b', rule: 'winner', reason: expect.stringContaining('converted best') })
    stats = await t.engine.stats(id)
    expect(stats.nodes.s?.winner).toBe('b')

    // Fixed once chosen: later conversions on a do not move it, nor does a restart.
    const lateA = early.filter((u) => !onB.includes(u))
    await send(t.engine, ...lateA.map((u) => track(u, 'Purchased', {}, start + 2000)))
    const restarted = await t.restart()
    await send(restarted.engine, track('newcomer', 'Signed Up', {}, restarted.clock.now()))
    expect(await branchOf(restarted, id, 'newcomer')).toEqual(['b'])
    expect((await restarted.engine.stats(id)).nodes.s?.winner).toBe('b')
  })
})

describe('split: publish', () => {
  it('refuses bad splits with their codes and node ids', async () => {
    const t = await openTestEngine()
    const bad = graph(
      [
        trigger('t', 'Signed Up'),
        split('sum', { a: 40, b: 50 }),
        split('one', { only: 100 }),
        split('win', { a: 50, b: 50 }, days(1)),
        exit('x'),
      ],
      [edge('t', 'next', 'sum'), edge('sum', 'a', 'one'), edge('sum', 'b', 'win'), edge('one', 'only', 'x'), edge('win', 'a', 'x')],
    )
    const j = await t.engine.createJourney(journeyInput('Bad splits', bad))
    const result = await t.engine.publish(j.id)
    expect(result?.ok).toBe(false)
    const issues = result && 'issues' in result ? result.issues.map((i) => [i.code, i.nodeId]) : []
    expect(issues).toEqual(
      expect.arrayContaining([
        ['split.percent_sum', 'sum'],
        ['split.branch_count', 'one'],
        ['outlet.unconnected', 'win'],
        ['split.winner_without_goal', 'win'],
      ]),
    )
  })
})
