import type { NodeOf } from '@switchyard/schema'
import type { StateJson, TransitionJson } from '../machine'
import type { Leaving } from './leave'

/**
 * The user's branch at a split is this one: the outlet the node has fixed for new arrivals when
 * it has one (`winner`), otherwise by weight, a function of (journey, node, user).
 */
export type SplitGuard = { type: 'branchIs'; params: { nodeId: string; branch: string; branches: { id: string; percent: number }[]; winner: boolean } }

/**
 * One transition per branch, each guarded by `branchIs` (the engine's split guard: the winner
 * once one is fixed, otherwise by weight). The last branch takes no guard, so a run always leaves.
 */
export function compileSplit(node: NodeOf<'split'>, out: Leaving): StateJson {
  const { branches, winner } = node.data
  const weights = branches.map((b) => ({ id: b.id, percent: b.percent }))
  const always = branches.map((b, i): TransitionJson => {
    const t = out.by(b.id, [{ type: 'record', params: { nodeId: node.id, kind: 'branch', outlet: out.outletOrNull(b.id) } }])
    if (i === branches.length - 1) return t
    return { ...t, guard: { type: 'branchIs', params: { nodeId: node.id, branch: b.id, branches: weights, winner: winner !== undefined } } }
  })
  return { meta: out.meta, entry: [out.enter], always }
}
