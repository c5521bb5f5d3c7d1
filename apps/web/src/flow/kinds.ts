import { NODE_KINDS, NODE_TYPES, type NodeType, type Outlet } from '@switchyard/schema'

export interface NodeLook {
  /** Accent colour of the node type, used on the node, the palette and the minimap. */
  color: string
  /** Light tint of the accent for backgrounds. */
  tint: string
  /** Prefix of generated node ids: `msg_k3p9x`. */
  idPrefix: string
  /** Data of a node just dropped from the palette. */
  initialData: () => Record<string, unknown>
}

/** How each node kind looks and starts: adding a kind to the schema fails here until it is described. */
export const NODE_LOOKS = {
  trigger: { color: '#7c3aed', tint: '#f3efff', idPrefix: 'trg', initialData: () => ({ event: '' }) },
  action: { color: '#2563eb', tint: '#eef4ff', idPrefix: 'msg', initialData: () => ({ channel: 'email', message: {} }) },
  waitForEvent: {
    color: '#d97706',
    tint: '#fff6e8',
    idPrefix: 'wait',
    initialData: () => ({ activity: { status: 'clicked' }, within: { amount: 1, unit: 'days' } }),
  },
  webhook: { color: '#059669', tint: '#e9f9f2', idPrefix: 'hook', initialData: () => ({ webhookId: '' }) },
  delay: { color: '#0891b2', tint: '#e8f8fb', idPrefix: 'delay', initialData: () => ({ for: { amount: 1, unit: 'hours' } }) },
  condition: {
    color: '#db2777',
    tint: '#fdeef5',
    idPrefix: 'if',
    initialData: () => ({ where: { all: [{ path: 'user.traits.country', op: 'eq', value: '' }] } }),
  },
  exit: { color: '#475569', tint: '#f1f4f8', idPrefix: 'exit', initialData: () => ({}) },
} as const satisfies Record<NodeType, NodeLook>

export function isNodeType(type: string): type is NodeType {
  return NODE_TYPES.some((t) => t === type)
}

export function outletsOfType(type: string): readonly Outlet[] {
  return isNodeType(type) ? NODE_KINDS[type].outlets : []
}

export function requiredOutletsOfType(type: string): readonly Outlet[] {
  return isNodeType(type) ? NODE_KINDS[type].required : []
}

export function labelOfType(type: string): string {
  return isNodeType(type) ? NODE_KINDS[type].label : type
}

export function colorOfType(type: string): string {
  return isNodeType(type) ? NODE_LOOKS[type].color : '#64748b'
}

/** Outlet names as a marketer reads them on the canvas. */
export const OUTLET_LABELS = {
  next: 'next',
  matched: 'matched',
  timeout: 'timeout',
  yes: 'yes',
  no: 'no',
} as const satisfies Record<Outlet, string>
