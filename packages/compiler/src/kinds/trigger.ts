import type { NodeOf } from '@switchyard/schema'
import type { StateJson } from '../machine'
import type { Leaving } from './leave'

export function compileTrigger(node: NodeOf<'trigger'>, out: Leaving): StateJson {
  return {
    meta: out.meta,
    entry: [out.enter, { type: 'rememberEvent' }],
    always: [out.by('next', [{ type: 'record', params: { nodeId: node.id, kind: 'entered', outlet: out.outletOrNull('next') } }])],
  }
}
