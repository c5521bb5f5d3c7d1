import type { NodeOf } from '@switchyard/schema'
import type { StateJson } from '../machine'
import type { Leaving } from './leave'

export function compileWebhook(node: NodeOf<'webhook'>, out: Leaving): StateJson {
  const d = node.data
  return {
    meta: out.meta,
    entry: [
      out.enter,
      {
        type: 'enqueueWebhook',
        params: {
          nodeId: node.id,
          webhookId: d.webhookId,
          params: d.params ?? [],
          customParams: d.customParams ?? {},
          body: d.body ?? { kind: 'activity' },
          outlet: out.outletOrNull('next'),
        },
      },
    ],
    always: [out.by('next', [])],
  }
}
