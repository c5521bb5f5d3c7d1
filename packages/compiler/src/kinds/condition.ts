import type { Condition, NodeOf } from '@switchyard/schema'
import type { JourneyAction } from '../actions'
import type { StateJson } from '../machine'
import type { Leaving } from './leave'

/** A condition node's `where`, on the run's event and the user's current traits. */
export type ConditionGuard = { type: 'conditionHolds'; params: { where: Condition } }

export function compileCondition(node: NodeOf<'condition'>, out: Leaving): StateJson {
  const where = node.data.where
  const branch = (outlet: 'yes' | 'no'): JourneyAction => ({ type: 'record', params: { nodeId: node.id, kind: 'branch', outlet, where } })
  return {
    meta: out.meta,
    entry: [out.enter],
    always: [{ ...out.by('yes', [branch('yes')]), guard: { type: 'conditionHolds', params: { where } } }, out.by('no', [branch('no')])],
  }
}
