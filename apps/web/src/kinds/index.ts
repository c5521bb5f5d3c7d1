import { NODE_KINDS, isNodeType, type NodeType } from '@switchyard/schema'
import type { KindedNode } from '../flow/outlets'
import { actionCanvas } from './action'
import { conditionCanvas } from './condition'
import { delayCanvas } from './delay'
import { exitCanvas } from './exit'
import type { CanvasKind, OutletTone } from './kind'
import { splitCanvas } from './split'
import { triggerCanvas } from './trigger'
import { waitForEventCanvas } from './wait'
import { webhookCanvas } from './webhook'

/**
 * The canvas side of every node kind, one module each. A kind the schema lists and this registry
 * lacks does not compile, here and only here (the annotation, rather than `satisfies`, keeps the
 * error at this line); nothing else in the app switches over node types.
 */
export const CANVAS_KINDS: { readonly [T in NodeType]: CanvasKind<T> } = {
  trigger: triggerCanvas,
  action: actionCanvas,
  waitForEvent: waitForEventCanvas,
  webhook: webhookCanvas,
  delay: delayCanvas,
  condition: conditionCanvas,
  split: splitCanvas,
  exit: exitCanvas,
}

/** The canvas kind of a node's type; undefined for a type the schema does not know. */
export function canvasKind(type: string | undefined): CanvasKind | undefined {
  return isNodeType(type) ? CANVAS_KINDS[type] : undefined
}

/** How the marketer reads an outlet: `yes`, `timeout`, a split's branch by its label. */
export function outletLabel(node: KindedNode, outlet: string): string {
  return canvasKind(node.type)?.outletLabel?.(outlet, node.data ?? {}) ?? outlet
}

export function outletNote(node: KindedNode, outlet: string): string {
  return canvasKind(node.type)?.outletNote?.(outlet, node.data ?? {}) ?? ''
}

export function outletTone(node: KindedNode | undefined, outlet: string): OutletTone {
  return canvasKind(node?.type)?.outletTone?.(outlet) ?? 'plain'
}

export function labelOfType(type: string | undefined): string {
  return isNodeType(type) ? NODE_KINDS[type].label : (type ?? 'Unknown step')
}

const UNKNOWN_LOOK = { color: '#64748b', tint: '#f1f5f9' }

/** The accent of a node type, grey for one the schema does not know. */
export function lookOfType(type: string | undefined): { color: string; tint: string } {
  return canvasKind(type) ?? UNKNOWN_LOOK
}

export type { CanvasKind, OutletTone, SummaryContext } from './kind'
