import { z } from 'zod'
import { Condition } from '../condition'
import { own } from '../validate-read'
import { conditionAt, parseData, plainFacts, report, withWhere } from './check'
import { fixedOutlets, nodeSchema, type NodeKindSpec } from './kind'

export const ConditionData = z.object({ where: Condition })
export type ConditionData = z.infer<typeof ConditionData>
export const ConditionNode = nodeSchema('condition', ConditionData)
export type ConditionNode = z.infer<typeof ConditionNode>

export const conditionKind: NodeKindSpec<'condition', ConditionNode> = {
  type: 'condition',
  node: ConditionNode,
  label: 'Condition',
  description: 'Splits users by their properties or the event.',
  ...fixedOutlets(
    { yes: 'the step for users who match the condition', no: 'the step for users who don’t match the condition' },
    ['yes', 'no'],
  ),
  check(ctx, data, position) {
    if (own(data, 'where') === undefined) {
      report(ctx, 'node.invalid_data', 'there is no rule yet: add the rule that decides who takes the yes path.', 'data.where')
    }
    const where = conditionAt(ctx, data, 'where')
    const parsed = withWhere(parseData(ctx, ConditionData, data, ['where'], ['where']), where)
    return plainFacts(parsed && { id: ctx.id, type: 'condition', position, data: parsed })
  },
}
