import { z } from 'zod'
import { Duration } from '../duration'
import { STABLE_BUCKETS, stableBucket } from '../rules'
import { isRecord, listAnd, own, quote } from '../validate-read'
import { checkRange, parseData, plainFacts, report } from './check'
import { nodeSchema, type NodeKindSpec } from './kind'

export const SPLIT_MIN_BRANCHES = 2
export const SPLIT_MAX_BRANCHES = 10

/** A branch id is an outlet name: short, and safe in a handle, a URL and a stats key. */
export const SplitBranchId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'Give the branch an id of 1 to 40 letters, digits, “-” or “_”.')
export const SplitBranch = z.object({
  id: SplitBranchId,
  label: z.string().trim().min(1).max(80).optional(),
  percent: z.number().gt(0, 'Give every branch more than 0%.').max(100),
})
export type SplitBranch = z.infer<typeof SplitBranch>
/** Once `after` has passed since the version was published, new arrivals take the best branch. */
export const SplitWinner = z.object({ after: Duration, metric: z.literal('goal') })
export type SplitWinner = z.infer<typeof SplitWinner>
export const SplitData = z.object({ branches: z.array(SplitBranch), winner: SplitWinner.optional() })
export type SplitData = z.infer<typeof SplitData>
export const SplitNode = nodeSchema('split', SplitData)
export type SplitNode = z.infer<typeof SplitNode>

/** Branch ids as a draft holds them: strings, first occurrence kept. */
function draftBranchIds(data: object): string[] {
  const branches = own(data, 'branches')
  if (!Array.isArray(branches)) return []
  const ids: string[] = []
  for (const b of branches) {
    const id: unknown = isRecord(b) ? own(b, 'id') : undefined
    if (typeof id === 'string' && id !== '' && !ids.includes(id)) ids.push(id)
  }
  return ids
}

/** Percents are kept to hundredths: a branch owns that many of the 10,000 buckets. */
function basisPoints(percent: number): number {
  return Math.round(percent * (STABLE_BUCKETS / 100))
}

export const splitKind: NodeKindSpec<'split', SplitNode> = {
  type: 'split',
  node: SplitNode,
  label: 'Split',
  description: 'Sends users down 2 to 10 branches by percentage, for A/B tests and random cohorts.',
  outlets: draftBranchIds,
  required: draftBranchIds,
  purpose: (outlet) => `the step for users in that branch`,
  outletName(outlet, data) {
    const branches = own(data, 'branches')
    const branch: unknown = Array.isArray(branches) ? branches.find((b: unknown) => isRecord(b) && own(b, 'id') === outlet) : undefined
    const label: unknown = isRecord(branch) ? own(branch, 'label') : undefined
    return typeof label === 'string' && label.trim() !== '' ? quote(label.trim()) : quote(outlet)
  },
  check(ctx, data, position) {
    const parsed = parseData(ctx, SplitData, data, [])
    const raw = own(data, 'branches')
    const branches = Array.isArray(raw) ? raw : []
    if (branches.length < SPLIT_MIN_BRANCHES || branches.length > SPLIT_MAX_BRANCHES) {
      report(ctx, 'split.branch_count', `there are ${branches.length} branches: keep between ${SPLIT_MIN_BRANCHES} and ${SPLIT_MAX_BRANCHES}.`, 'data.branches')
    }
    const seen = new Set<string>()
    const repeated = new Set<string>()
    let total = 0
    let numeric = true
    branches.forEach((b: unknown) => {
      const id: unknown = isRecord(b) ? own(b, 'id') : undefined
      if (typeof id === 'string') (seen.has(id) ? repeated : seen).add(id)
      const percent: unknown = isRecord(b) ? own(b, 'percent') : undefined
      if (typeof percent === 'number' && Number.isFinite(percent)) total += basisPoints(percent)
      else numeric = false
    })
    if (repeated.size > 0) {
      report(ctx, 'split.duplicate_branch', `more than one branch has the id ${listAnd([...repeated].map(quote))}: give each branch its own id.`, 'data.branches')
    }
    if (numeric && branches.length > 0 && total !== STABLE_BUCKETS) {
      report(ctx, 'split.percent_sum', `the branches add up to ${total / 100}%: make them add up to 100%.`, 'data.branches')
    }
    const winner = own(data, 'winner')
    if (isRecord(winner)) checkRange(ctx, own(winner, 'after'), 'data.winner.after', 'the time before a winner is chosen')
    return plainFacts(parsed && { id: ctx.id, type: 'split', position, data: parsed })
  },
  checkInJourney(node, journey, add) {
    // Without the settings (a draft checked on its own) there is nothing to say yet.
    if (node.data.winner === undefined || journey.settings === undefined) return
    if (isRecord(own(journey.settings, 'goal'))) return
    add(
      'split.winner_without_goal',
      `Split ${quote(node.id)} picks a winner by goal conversions, but the journey has no goal: set the journey's goal, or remove the winner rule.`,
      { nodeId: node.id, field: 'data.winner' },
    )
  },
}

/**
 * The branch a user takes at a split, by weight: a deterministic function of (journey, node,
 * user), so re-entry keeps the branch. The engine and the simulation both call this.
 */
export function weightedBranch(branches: readonly SplitBranch[], journeyId: string, nodeId: string, userId: string): SplitBranch | undefined {
  const bucket = stableBucket(userId, `${journeyId}\u0000${nodeId}`)
  let upTo = 0
  for (const b of branches) {
    upTo += basisPoints(b.percent)
    if (bucket < upTo) return b
  }
  return branches[branches.length - 1]
}
