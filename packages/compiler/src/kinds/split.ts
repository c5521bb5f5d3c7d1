import type { NodeOf } from '@switchyard/schema'
import type { StateJson, TransitionJson } from '../machine'
import type { Leaving } from './leave'

/**
 * `chooseBranch` (an assign the engine implements) puts the user's branch in the run's context,
 * by weight or, once one is chosen, the winner; each branch's transition checks it. The last
 * branch takes no guard, so a run always leaves.
 */
export function compileSplit(node: NodeOf<'split'>, out: Leaving): StateJson {
  const { branches, winner } = node.data
  const always = branches.map((b, i): TransitionJson => {
    const t = out.by(b.id, [{ type: 'record', params: { nodeId: node.id, kind: 'branch', outlet: out.outletOrNull(b.id) } }])
    return i === branches.length - 1 ? t : { ...t, guard: { type: 'branchIs', params: { nodeId: node.id, branch: b.id } } }
  })
  return {
    meta: out.meta,
    entry: [
      out.enter,
      {
        type: 'chooseBranch',
        params: { nodeId: node.id, branches: branches.map((b) => ({ id: b.id, percent: b.percent })), winner: winner !== undefined },
      },
    ],
    always,
  }
}
