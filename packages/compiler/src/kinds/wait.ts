import { durationMs, type ActivityStatus, type Condition, type NodeOf } from '@switchyard/schema'
import type { JourneyAction } from '../actions'
import type { StateJson } from '../machine'
import type { Leaving } from './leave'

export type WaitGuard =
  /** The incoming event is the awaited one (by name or as activity of the run's message). */
  | { type: 'eventMatches'; params: { event: string; where?: Condition } }
  | { type: 'activityMatches'; params: { status: ActivityStatus; where?: Condition } }
  /** The incoming timer event is this node's (a delay's timer too). */
  | { type: 'timerIs'; params: { nodeId: string } }

export function compileWaitForEvent(node: NodeOf<'waitForEvent'>, out: Leaving): StateJson {
  const data = node.data
  const cancel: JourneyAction = { type: 'cancelTimer', params: { nodeId: node.id } }
  const where = data.where === undefined ? {} : { where: data.where }
  const guard =
    data.activity !== undefined
      ? { type: 'activityMatches' as const, params: { status: data.activity.status, ...where } }
      : { type: 'eventMatches' as const, params: { event: data.event ?? '', ...where } }
  return {
    meta: out.meta,
    entry: [
      out.enter,
      { type: 'scheduleTimer', params: { nodeId: node.id, afterMs: durationMs(data.within) } },
      { type: 'record', params: { nodeId: node.id, kind: 'entered', outlet: null } },
    ],
    on: {
      track: [
        {
          ...out.by('matched', [cancel, { type: 'rememberEvent' }, { type: 'record', params: { nodeId: node.id, kind: 'event', outlet: 'matched' } }]),
          guard,
        },
      ],
      timer: [
        {
          ...out.by('timeout', [{ type: 'record', params: { nodeId: node.id, kind: 'timeout', outlet: 'timeout' } }]),
          guard: { type: 'timerIs', params: { nodeId: node.id } },
        },
      ],
    },
  }
}
