import { NODE_KINDS } from './kinds'
import type { JourneyNode, NodeType } from './kinds'
import type { NodeContext, NodeFacts, NodeReferences, Position } from './kinds/check'
import { report } from './kinds/check'
import type { ValidationIssue } from './issues'
import { LABEL_MAX } from './labels'
import { isRecord, own } from './validate-read'

function checkPosition(ctx: NodeContext, raw: unknown): Position | null {
  if (raw === undefined) return { x: 0, y: 0 }
  if (isRecord(raw)) {
    const x = own(raw, 'x')
    const y = own(raw, 'y')
    if (typeof x === 'number' && Number.isFinite(x) && typeof y === 'number' && Number.isFinite(y)) return { x, y }
  }
  report(ctx, 'node.invalid_data', 'its place on the canvas is damaged: move the step to fix it.', 'position')
  return null
}

/** Checks one node's position and data with its kind's `check`, reporting every problem into `issues`. */
export function checkNode(
  id: string,
  type: NodeType,
  name: string,
  rawPosition: unknown,
  rawData: unknown,
  issues: ValidationIssue[],
  refs: NodeReferences,
): NodeFacts<JourneyNode> {
  const ctx: NodeContext = { id, name, issues, webhookIds: refs.webhookIds, providerIds: refs.providerIds, checkTemplate: refs.checkTemplate, failed: false }
  const position = checkPosition(ctx, rawPosition)
  // The canvas may omit `data` on steps that have none yet (DraftNode defaults it too).
  const data = rawData === undefined ? {} : rawData
  if (!isRecord(data)) {
    report(ctx, 'node.invalid_data', 'its settings are damaged: open the step and set it up again.', 'data')
    return { node: null, channel: null, activityStatus: null }
  }
  checkLabel(ctx, data)
  const facts: NodeFacts<JourneyNode> = NODE_KINDS[type].check(ctx, data, position ?? { x: 0, y: 0 })
  return ctx.failed ? { ...facts, node: null } : facts
}

function checkLabel(ctx: NodeContext, data: object): void {
  const label = own(data, 'label')
  if (label === undefined) return
  if (typeof label !== 'string' || label.trim() === '') {
    report(ctx, 'node.invalid_data', 'the step’s name is empty: give it a name, or remove it to use the default.', 'data.label')
  } else if (label.trim().length > LABEL_MAX) {
    report(ctx, 'node.invalid_data', `the step’s name is ${label.trim().length} characters long: keep it to ${LABEL_MAX}.`, 'data.label')
  }
}
