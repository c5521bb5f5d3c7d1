import { dict, durationMs, weightedBranch, type BranchStats, type NodeOf } from '@switchyard/schema'
import type { CounterDelta } from '../records'
import { OUTLET_METRICS, recordedFixed, type EngineKind, type GuardArgs } from './kind'

type Branches = readonly { id: string; percent: number }[]

export const splitEngine: EngineKind<'split'> = {
  guards: {
    branchIs: ({ context }, params) => branchOf(context, params.nodeId, params.branches, params.winner).branch === params.branch,
  },
  detail: ({ kind, node, run, loaded }) => {
    if (kind !== 'branch') return undefined
    return branchDetail(node, branchOf({ ...run.context, fixed: loaded.fixed }, node.id, node.data.branches, node.data.winner !== undefined))
  },
  stats(node, counters) {
    const winner = recordedFixed(counters, node.id)
    return { branches: branchStats(node.data.branches, counters, node.id), ...(winner === undefined ? {} : { winner }) }
  },
  decisionDue: (node, publishedAt) => (node.data.winner === undefined ? undefined : publishedAt + durationMs(node.data.winner.after)),
  decide: (node, counters) => bestBranch(node.data.branches, counters, node.id),
}

/**
 * The branch a user arriving at a split takes: the winner once one is fixed for this version,
 * otherwise by weight, a function of (journey, node, user) alone so that re-entry keeps the branch.
 */
function branchOf(context: Pick<GuardArgs['context'], 'journeyId' | 'userId' | 'fixed'>, nodeId: string, branches: Branches, winnerRule: boolean): { branch: string; rule: 'weight' | 'winner' } {
  const winner = winnerRule ? context.fixed?.[nodeId] : undefined
  if (winner !== undefined && branches.some((b) => b.id === winner)) return { branch: winner, rule: 'winner' }
  return { branch: (weightedBranch(branches, context.journeyId, nodeId, context.userId) ?? branches[0])?.id ?? '', rule: 'weight' }
}

function branchDetail(node: NodeOf<'split'>, choice: { branch: string; rule: 'weight' | 'winner' }): Record<string, unknown> {
  const branch = node.data.branches.find((b) => b.id === choice.branch)
  const name = branch?.label ?? choice.branch
  const reason =
    choice.rule === 'winner'
      ? `Branch “${name}” converted best, so every new arrival takes it.`
      : `Assigned by weight: ${branch?.percent ?? 0}% of users take branch “${name}”, and the same user always gets the same branch.`
  return { branch: choice.branch, label: branch?.label ?? null, percent: branch?.percent ?? null, rule: choice.rule, reason }
}

/** Per branch: users who took it, goal conversions among them, and the rate. */
function branchStats(branches: Branches, counters: readonly CounterDelta[], nodeId: string): Record<string, BranchStats> {
  const out = dict<BranchStats>()
  for (const b of branches) out[b.id] = { entered: 0, converted: 0, rate: 0 }
  for (const c of counters) {
    if (c.nodeId !== nodeId) continue
    for (const b of branches) {
      const s = out[b.id]
      if (s === undefined) continue
      if (c.metric === `outlet:${b.id}`) s.entered += c.delta
      else if (c.metric === OUTLET_METRICS.converted(b.id)) s.converted += c.delta
    }
  }
  for (const s of Object.values(out)) s.rate = s.entered === 0 ? 0 : s.converted / s.entered
  return out
}

/** The best-converting branch by rate; on a tie, the first. */
function bestBranch(branches: Branches, counters: readonly CounterDelta[], nodeId: string): string | undefined {
  const stats = branchStats(branches, counters, nodeId)
  let best: { id: string; rate: number } | undefined
  for (const b of branches) {
    const rate = stats[b.id]?.rate ?? 0
    if (best === undefined || rate > best.rate) best = { id: b.id, rate }
  }
  return best?.id
}
