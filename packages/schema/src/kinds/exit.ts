import { z } from 'zod'
import { parseData, plainFacts } from './check'
import { nodeSchema, type NodeKindSpec } from './kind'

export const ExitData = z.object({}).passthrough()
export type ExitData = z.infer<typeof ExitData>
export const ExitNode = nodeSchema('exit', ExitData)
export type ExitNode = z.infer<typeof ExitNode>

export const exitKind: NodeKindSpec<'exit', ExitNode> = {
  type: 'exit',
  node: ExitNode,
  label: 'Exit',
  description: 'Ends the journey for the user.',
  outlets: () => [],
  required: () => [],
  purpose: () => 'nothing: the journey ends here',
  check(ctx, data, position) {
    const parsed = parseData(ctx, ExitData, data, [])
    return plainFacts(parsed && { id: ctx.id, type: 'exit', position, data: parsed })
  },
}
