import { durationMs, type NodeOf } from '@switchyard/schema'
import type { StateJson } from '../machine'
import type { Leaving } from './leave'

export function compileDelay(node: NodeOf<'delay'>, out: Leaving): StateJson {
  const d = node.data
  const timer =
    d.for !== undefined
      ? { nodeId: node.id, afterMs: durationMs(d.for) }
      : { nodeId: node.id, until: { path: d.until?.path ?? '', offsetMs: d.until?.offset === undefined ? 0 : durationMs(d.until.offset) } }
  return {
    meta: out.meta,
    entry: [out.enter, { type: 'scheduleTimer', params: timer }, { type: 'record', params: { nodeId: node.id, kind: 'entered', outlet: null } }],
    on: {
      timer: [
        {
          ...out.by('next', [{ type: 'record', params: { nodeId: node.id, kind: 'timeout', outlet: out.outletOrNull('next') } }]),
          guard: { type: 'timerIs', params: { nodeId: node.id } },
        },
      ],
    },
  }
}
