import { dict, weightedBranch, type BranchStats, type NodeOf } from '@switchyard/schema'
import type { JourneyCatalog } from '../catalog'
import type { CounterDelta, RunContext, SplitChoice } from '../records'
import type { EngineStore } from '../store'
import type { EngineKind } from './kind'

type Branches = readonly { id: string; percent: number }[]

/** Counter metrics of a split node, beside `outlet:<branch>` (users who took the branch). */
export const SPLIT_METRICS = {
  converted: (branch: string) => `converted:${branch}`,
  winner: (branch: string) => `winner:${branch}`,
} as const

export const splitEngine: EngineKind<'split'> = {
  guards: {
    branchIs: ({ context }, params) => context.splits?.[params.nodeId]?.branch === params.branch,
  },
  detail: ({ kind, node, run }) => (kind === 'branch' ? branchDetail(node, run.context.splits?.[node.id]) : undefined),
  stats(node, counters) {
    const winner = recordedWinner(node.data.branches, counters, node.id)
    return { branches: branchStats(node.data.branches, counters, node.id), ...(winner === undefined ? {} : { winner }) }
  },
}

/**
 * Before a batch: every split whose winner rule is due gets its winner, once. One recorded by an
 * earlier batch (before a restart) is taken as it is; otherwise the best-converting branch of
 * this version so far is chosen and written with the batch.
 */
export async function decideWinners(catalog: JourneyCatalog, store: EngineStore, now: number): Promise<void> {
  const due = catalog.dueWinners(now)
  if (due.length === 0) return
  const countersOf = new Map<string, Promise<CounterDelta[]>>()
  for (const p of due) {
    const key = `${p.loaded.journeyId}@${p.loaded.version}`
    const pending = countersOf.get(key) ?? store.counters(p.loaded.journeyId, p.loaded.version)
    countersOf.set(key, pending)
    const counters = await pending
    const recorded = recordedWinner(p.node.data.branches, counters, p.node.id)
    const branch = recorded ?? bestBranch(p.node.data.branches, counters, p.node.id)
    if (branch !== undefined) catalog.setWinner(p, branch, recorded === undefined)
  }
}

/**
 * The branch a user arriving at a split takes: the winner once one is chosen for this version
 * (the engine puts it in `context.winners`), otherwise by weight, a function of (journey, node,
 * user) alone so that re-entry keeps the branch.
 */
export function chooseBranch(context: RunContext, params: { nodeId: string; branches: Branches; winner: boolean }): Record<string, SplitChoice> {
  const splits = dict<SplitChoice>()
  Object.assign(splits, context.splits)
  const winner = params.winner ? context.winners?.[params.nodeId] : undefined
  if (winner !== undefined && params.branches.some((b) => b.id === winner)) {
    splits[params.nodeId] = { branch: winner, rule: 'winner' }
  } else {
    const branch = weightedBranch(params.branches, context.journeyId, params.nodeId, context.userId) ?? params.branches[0]
    splits[params.nodeId] = { branch: branch?.id ?? '', rule: 'weight' }
  }
  return splits
}

function branchDetail(node: NodeOf<'split'>, choice: SplitChoice | undefined): Record<string, unknown> | null {
  if (choice === undefined) return null
  const branch = node.data.branches.find((b) => b.id === choice.branch)
  const name = branch?.label ?? choice.branch
  const reason =
    choice.rule === 'winner'
      ? `Branch “${name}” converted best, so every new arrival takes it.`
      : `Assigned by weight: ${branch?.percent ?? 0}% of users take branch “${name}”, and the same user always gets the same branch.`
  return { branch: choice.branch, label: branch?.label ?? null, percent: branch?.percent ?? null, rule: choice.rule, reason }
}

/** Per branch: users who took it, goal conversions among them, and the rate. */
export function branchStats(branches: Branches, counters: readonly CounterDelta[], nodeId: string): Record<string, BranchStats> {
  const out = dict<BranchStats>()
  for (const b of branches) out[b.id] = { entered: 0, converted: 0, rate: 0 }
  for (const c of counters) {
    if (c.nodeId !== nodeId) continue
    for (const b of branches) {
      const s = out[b.id]
      if (s === undefined) continue
      if (c.metric === `outlet:${b.id}`) s.entered += c.delta
      else if (c.metric === SPLIT_METRICS.converted(b.id)) s.converted += c.delta
    }
  }
  for (const s of Object.values(out)) s.rate = s.entered === 0 ? 0 : s.converted / s.entered
  return out
}

/** The branch recorded as this split's winner, if one was chosen. */
export function recordedWinner(branches: Branches, counters: readonly CounterDelta[], nodeId: string): string | undefined {
  const won = new Set(counters.filter((c) => c.nodeId === nodeId && c.delta > 0).map((c) => c.metric))
  return branches.find((b) => won.has(SPLIT_METRICS.winner(b.id)))?.id
}

/** The best-converting branch by rate; on a tie, the first. */
export function bestBranch(branches: Branches, counters: readonly CounterDelta[], nodeId: string): string | undefined {
  const stats = branchStats(branches, counters, nodeId)
  let best: { id: string; rate: number } | undefined
  for (const b of branches) {
    const rate = stats[b.id]?.rate ?? 0
    if (best === undefined || rate > best.rate) best = { id: b.id, rate }
  }
  return best?.id
}
