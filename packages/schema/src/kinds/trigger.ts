import { z } from 'zod'
import { Condition } from '../condition'
import { EventName } from '../nodes'
import { conditionAt, parseData, plainFacts, withWhere } from './check'
import { fixedOutlets, nodeSchema, type NodeKindSpec } from './kind'

export const TriggerData = z.object({ event: EventName, where: Condition.optional() })
export type TriggerData = z.infer<typeof TriggerData>
export const TriggerNode = nodeSchema('trigger', TriggerData)
export type TriggerNode = z.infer<typeof TriggerNode>

export const triggerKind: NodeKindSpec<'trigger', TriggerNode> = {
  type: 'trigger',
  node: TriggerNode,
  label: 'Trigger',
  description: 'Starts the journey when a user performs an event.',
  ...fixedOutlets({ next: 'the step that comes next' }, ['next']),
  check(ctx, data, position) {
    const where = conditionAt(ctx, data, 'where')
    const parsed = withWhere(parseData(ctx, TriggerData, data, ['where']), where)
    return plainFacts(parsed && { id: ctx.id, type: 'trigger', position, data: parsed })
  },
}
