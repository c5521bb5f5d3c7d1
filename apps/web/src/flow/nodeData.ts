import {
  CHANNEL_LABELS,
  dict,
  Channel,
  Duration,
  type Condition,
  formatDuration,
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

/** What a node does, in a few words, for its card on the canvas. */
export function summarize(type: string, data: NodeData, webhookName?: string): string {
  switch (type) {
    case 'trigger': {
      const event = readString(data, 'event')
      return event ? `When ${event} happens` : 'Choose the event that starts it'
    }
    case 'action': {
      const channel = readChannel(data)
      const message = readRecord(data, 'message')
      const text = [message.subject, message.title, message.text, message.body].find((x): x is string => typeof x === 'string' && x !== '')
      const label = channel ? CHANNEL_LABELS[channel] : 'Choose a channel'
      return text ? `${label}: ${text}` : `${label} message`
    }
    case 'waitForEvent': {
      const within = readDuration(data, 'within')
      const what = waitMode(data) === 'event' ? readString(data, 'event') || 'an event' : `${readStatus(data) ?? 'activity'} on the message`
      return `${what}${within ? ` within ${formatDuration(within)}` : ''}`
    }
    case 'webhook':
      return webhookName ? `Posts to ${webhookName}` : readString(data, 'webhookId') ? 'Unknown webhook' : 'Choose a webhook'
    case 'delay': {
      if (delayMode(data) === 'until') {
        const until = readRecord(data, 'until')
        return `Until ${typeof until.path === 'string' && until.path ? until.path : 'a date'}`
      }
      const d = readDuration(data, 'for')
      return d ? `Wait ${formatDuration(d)}` : 'Choose how long'
    }
    case 'condition':
      return describeCondition(readCondition(data, 'where'))
    case 'exit':
      return 'The journey ends here'
    default:
      return `Unknown node type "${type}"`
  }
}
