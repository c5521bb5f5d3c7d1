import { dict } from './dict'
import { isNodeType, NODE_KINDS } from './kinds'
import { isRecord, own, quote } from './validate-read'

/** A step's name (`data.label`) is 1 to 80 characters; a longer one is a publish issue. */
export const LABEL_MAX = 80

/** The name the user gave a step, when it is a usable one. */
export function customLabel(data: unknown): string | null {
  const label = isRecord(data) ? own(data, 'label') : undefined
  if (typeof label !== 'string') return null
  const trimmed = label.trim()
  return trimmed.length > 0 && trimmed.length <= LABEL_MAX ? trimmed : null
}

/**
 * Every step's name: the one the user gave it, or a readable default from its kind, numbered in
 * the order of the graph when the kind occurs more than once ("Message 2"), never its id.
 */
export function nodeLabels(nodes: readonly unknown[]): Record<string, string> {
  const kindOf = (n: unknown): string => {
    const type = isRecord(n) ? own(n, 'type') : undefined
    return isNodeType(type) ? NODE_KINDS[type].label : 'Step'
  }
  const total = new Map<string, number>()
  for (const n of nodes) total.set(kindOf(n), (total.get(kindOf(n)) ?? 0) + 1)
  const seen = new Map<string, number>()
  const labels = dict<string>()
  for (const n of nodes) {
    const id = isRecord(n) ? own(n, 'id') : undefined
    if (typeof id !== 'string') continue
    const kind = kindOf(n)
    const ordinal = (seen.get(kind) ?? 0) + 1
    seen.set(kind, ordinal)
    labels[id] ??= customLabel(isRecord(n) ? own(n, 'data') : undefined) ?? ((total.get(kind) ?? 0) > 1 ? `${kind} ${ordinal}` : kind)
  }
  return labels
}

/**
 * How messages name a step: a given name with its kind (`Wait for event “Opened?”`), a default
 * one as it is (`Message 2`).
 */
export function describeStep(type: string | null, data: unknown, label: string): string {
  return customLabel(data) !== null && isNodeType(type) ? `${NODE_KINDS[type].label} ${quote(label)}` : label
}
