import type { NodeOf } from '@switchyard/schema'
import type { StateJson } from '../machine'
import type { Leaving } from './leave'

export function compileExit(node: NodeOf<'exit'>, out: Leaving): StateJson {
  return { meta: out.meta, type: 'final', entry: [out.enter, { type: 'record', params: { nodeId: node.id, kind: 'completed', outlet: null } }] }
}
