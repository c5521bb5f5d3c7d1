import { z } from 'zod'
import { actionKind, ActionNode } from './action'
import { conditionKind, ConditionNode } from './condition'
import { delayKind, DelayNode } from './delay'
import { exitKind, ExitNode } from './exit'
import type { NodeKindSpec } from './kind'
import { splitKind, SplitNode } from './split'
import { triggerKind, TriggerNode } from './trigger'
import { waitForEventKind, WaitForEventNode } from './wait'
import { webhookKind, WebhookNode } from './webhook'

/**
 * The node kinds, one module each. Adding a kind is adding its module and one line in each list
 * below; every layer's own registry (compiler, engine, canvas) then fails to type-check until it
 * handles the kind. See CONTEXT.md at the repository root.
 */
export const NODE_TYPES = ['trigger', 'action', 'waitForEvent', 'webhook', 'delay', 'condition', 'split', 'exit'] as const
export const NodeType = z.enum(NODE_TYPES)
export type NodeType = z.infer<typeof NodeType>

export const JourneyNode = z.discriminatedUnion('type', [TriggerNode, ActionNode, WaitForEventNode, WebhookNode, DelayNode, ConditionNode, SplitNode, ExitNode])
export type JourneyNode = z.infer<typeof JourneyNode>

/** The node of one kind: `NodeOf<'split'>`. */
export type NodeOf<T extends NodeType> = Extract<JourneyNode, { type: T }>

/** Every kind's spec; a type in NODE_TYPES without its entry here does not compile. */
export type NodeKinds = { readonly [T in NodeType]: NodeKindSpec<T, NodeOf<T>> }

export const NODE_KINDS: NodeKinds = {
  trigger: triggerKind,
  action: actionKind,
  waitForEvent: waitForEventKind,
  webhook: webhookKind,
  delay: delayKind,
  condition: conditionKind,
  split: splitKind,
  exit: exitKind,
}

/** The spec of one kind, typed for that kind's node. */
export function kindOf<T extends NodeType>(type: T): NodeKindSpec<T, NodeOf<T>> {
  return NODE_KINDS[type]
}

// The union above and the list of types cannot drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const unionCoversTypes: Same<JourneyNode['type'], NodeType> = true
void unionCoversTypes

export function isNodeType(value: unknown): value is NodeType {
  return NODE_TYPES.some((t) => t === value)
}

/** A node's outlets, in display order, read from its (possibly draft) data. */
export function outletsOf(type: NodeType, data: object = {}): readonly string[] {
  return kindOf(type).outlets(data)
}

/** The outlets a node must have connected to publish. */
export function requiredOutletsOf(type: NodeType, data: object = {}): readonly string[] {
  return kindOf(type).required(data)
}

export type { NodeKindSpec, AddIssue } from './kind'
export type { NodeContext, NodeFacts, NodeReferences, TemplateCheck, Position } from './check'
export { durationRangeProblem } from './check'
export * from './trigger'
export * from './action'
export * from './wait'
export * from './webhook'
export * from './delay'
export * from './condition'
export * from './split'
export * from './exit'
