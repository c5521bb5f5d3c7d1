import { z } from 'zod'
import { ActivityStatus } from '../channels'
import { Condition } from '../condition'
import { Duration } from '../duration'
import { EventName } from '../nodes'
import { isRecord, own } from '../validate-read'
import { checkRange, conditionAt, parseData, report, withWhere } from './check'
import { fixedOutlets, nodeSchema, type NodeKindSpec } from './kind'

export const WaitForEventData = z.union([
  z.object({ activity: z.object({ status: ActivityStatus }), event: z.undefined().optional(), where: Condition.optional(), within: Duration }),
  z.object({ event: EventName, activity: z.undefined().optional(), where: Condition.optional(), within: Duration }),
])
export type WaitForEventData = z.infer<typeof WaitForEventData>
export const WaitForEventNode = nodeSchema('waitForEvent', WaitForEventData)
export type WaitForEventNode = z.infer<typeof WaitForEventNode>

export const waitForEventKind: NodeKindSpec<'waitForEvent', WaitForEventNode> = {
  type: 'waitForEvent',
  node: WaitForEventNode,
  label: 'Wait for event',
  description: 'Waits for the user to act on the message, or for an event, within a time.',
  ...fixedOutlets(
    { matched: 'the step users take when they act in time', timeout: 'the step users should take when they don’t act in time' },
    ['matched', 'timeout'],
  ),
  check(ctx, data, position) {
    const hasActivity = own(data, 'activity') !== undefined
    const hasEvent = own(data, 'event') !== undefined
    const [activityBranch, eventBranch] = WaitForEventData.options
    const handled: string[] = []
    if (hasActivity && hasEvent) {
      report(ctx, 'node.invalid_data', 'the wait listens both for activity on a message and for an event: keep only one of them.', 'data.event')
      handled.push('event')
    } else if (!hasActivity && !hasEvent) {
      report(ctx, 'node.invalid_data', 'choose what to wait for: activity on the message sent before (e.g. a click), or an event the user performs.', 'data.event')
      handled.push('event')
    }
    const where = conditionAt(ctx, data, 'where')
    const parsed = hasActivity
      ? withWhere(parseData(ctx, activityBranch, data, ['where'], handled), where)
      : withWhere(parseData(ctx, eventBranch, data, ['where'], handled), where)
    checkRange(ctx, own(data, 'within'), 'data.within', 'the waiting time')
    const activity = own(data, 'activity')
    const status = ActivityStatus.safeParse(isRecord(activity) ? own(activity, 'status') : undefined)
    const node: WaitForEventNode | null = parsed && { id: ctx.id, type: 'waitForEvent', position, data: parsed }
    return { node, channel: null, activityStatus: hasActivity && status.success ? status.data : null }
  },
}
