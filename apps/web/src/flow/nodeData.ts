import {
  dict,
  Channel,
  Duration,
  type Condition,
  type ActivityStatus,
  ActivityStatus as ActivityStatusSchema,
} from '@switchyard/schema'
import type { NodeData } from './types'
import { readDraftCondition } from './conditionModel'

/** Lenient readers of draft node data: a draft may be half filled in, so every field may be missing. */
export function readString(data: NodeData, key: string): string {
  const v = data[key]
  return typeof v === 'string' ? v : ''
}

export function readRecord(data: NodeData, key: string): Record<string, unknown> {
  const v = data[key]
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return dict()
  const out = dict<unknown>()
  for (const [k, x] of Object.entries(v)) out[k] = x
  return out
}

export function readDuration(data: NodeData, key: string): Duration | null {
  const r = Duration.safeParse(data[key])
  return r.success ? r.data : null
}

export function readCondition(data: NodeData, key: string): Condition | null {
  return readDraftCondition(data[key])
}

export function readChannel(data: NodeData): Channel | null {
  const r = Channel.safeParse(data.channel)
  return r.success ? r.data : null
}

export function readStatus(data: NodeData): ActivityStatus | null {
  const r = ActivityStatusSchema.safeParse(readRecord(data, 'activity').status)
  return r.success ? r.data : null
}

export function readStringList(data: NodeData, key: string): string[] {
  const v = data[key]
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

export function readStringMap(data: NodeData, key: string): Record<string, string> {
  const out = dict<string>()
  for (const [k, v] of Object.entries(readRecord(data, key))) if (typeof v === 'string') out[k] = v
  return out
}

/** Whether a wait listens for activity on the preceding message or for a track event. */
export function waitMode(data: NodeData): 'activity' | 'event' {
  return data.event !== undefined && data.activity === undefined ? 'event' : 'activity'
}

export function delayMode(data: NodeData): 'for' | 'until' {
  return data.until !== undefined && data.for === undefined ? 'until' : 'for'
}

/** A one-line condition for node cards: `user.traits.country = CA and …`. */
export function describeCondition(c: Condition | null): string {
  if (!c) return 'No condition'
  if ('all' in c) return c.all.length === 0 ? 'Always' : c.all.map(describeCondition).join(' and ')
  if ('any' in c) return c.any.length === 0 ? 'Never' : c.any.map(describeCondition).join(' or ')
  if ('not' in c) return `not (${describeCondition(c.not)})`
  const shown = typeof c.value === 'string' ? c.value : JSON.stringify(c.value)
  const value = c.value === undefined || shown === '' ? ' …' : ` ${shown}`
  return `${c.path || '…'} ${OP_SYMBOLS[c.op]}${c.op === 'exists' ? '' : value}`
}

export const OP_SYMBOLS = {
  eq: '=',
  neq: '≠',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  contains: 'contains',
  in: 'is one of',
  exists: 'exists',
} as const
