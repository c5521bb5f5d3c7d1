import type { NodeOf } from '@switchyard/schema'
import type { StateJson } from '../machine'
import type { Leaving } from './leave'

export function compileAction(node: NodeOf<'action'>, out: Leaving): StateJson {
  const { channel, message, providerId } = node.data
  return {
    meta: out.meta,
    entry: [
      out.enter,
      { type: 'rememberMessage', params: { nodeId: node.id, channel } },
      { type: 'sendMessage', params: { nodeId: node.id, channel, message, providerId: providerId ?? null, outlet: out.outletOrNull('next') } },
    ],
    always: [out.by('next', [])],
  }
}
