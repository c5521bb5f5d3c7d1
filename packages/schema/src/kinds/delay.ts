import { z } from 'zod'
import { ConditionPath } from '../condition'
import { Duration } from '../duration'
import { isRecord, own, quote } from '../validate-read'
import { checkOffset, checkRange, parseData, plainFacts, report } from './check'
import { fixedOutlets, nodeSchema, type NodeKindSpec } from './kind'

export const DelayUntil = z.object({ path: z.string(), offset: Duration.optional() })
export const DelayData = z.union([
  z.object({ for: Duration, until: z.undefined().optional() }),
  z.object({ until: DelayUntil, for: z.undefined().optional() }),
])
export type DelayData = z.infer<typeof DelayData>
export const DelayNode = nodeSchema('delay', DelayData)
export type DelayNode = z.infer<typeof DelayNode>

export const delayKind: NodeKindSpec<'delay', DelayNode> = {
  type: 'delay',
  node: DelayNode,
  label: 'Delay',
  description: 'Waits for a time, or until a date in the event or the user profile.',
  ...fixedOutlets({ next: 'the step that comes next' }, []),
  check(ctx, data, position) {
    const hasFor = own(data, 'for') !== undefined
    const hasUntil = own(data, 'until') !== undefined
    const [forBranch, untilBranch] = DelayData.options
    const handled: string[] = []
    if (hasFor && hasUntil) {
      report(ctx, 'node.invalid_data', 'the delay has both a fixed time and a date to wait for: keep only one of them.', 'data.for')
      handled.push('for')
    } else if (!hasFor && !hasUntil) {
      report(ctx, 'node.invalid_data', 'choose how long to wait: a fixed time, or until a date in the event or the user profile.', 'data.for')
      handled.push('for')
    }
    const parsed = hasUntil ? parseData(ctx, untilBranch, data, [], handled) : parseData(ctx, forBranch, data, [], handled)
    if (hasUntil) {
      const until = own(data, 'until')
      const path = isRecord(until) ? own(until, 'path') : undefined
      if (typeof path === 'string' && !ConditionPath.safeParse(path).success) {
        const hint = path === '' ? 'choose the date property to wait for' : `the date property ${quote(path)} is neither in the event nor in the user profile`
        report(ctx, 'delay.invalid_path', `${hint}: start it with “event.” or “user.”, e.g. event.properties.purchasedAt.`, 'data.until.path')
      }
      if (isRecord(until)) checkOffset(ctx, own(until, 'offset'), 'data.until.offset')
    } else {
      checkRange(ctx, own(data, 'for'), 'data.for', 'the delay')
    }
    return plainFacts(parsed && { id: ctx.id, type: 'delay', position, data: parsed })
  },
}
