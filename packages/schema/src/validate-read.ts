/**
 * Reading untrusted JSON without trusting its prototype chain: a key such as `constructor` or
 * `__proto__` must read as absent, never as something inherited from Object.prototype.
 */
export type RawRecord = object

export function isRecord(value: unknown): value is RawRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The same test, typed for reading the known keys of JSON this build wrote (stored rows). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return isRecord(value)
}

export { own } from './dict'

/** The value at a path of own properties (array indices included), or undefined. */
export function readAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = value
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined
    const k = typeof key === 'number' ? String(key) : key
    if (!Object.hasOwn(cur, k)) return undefined
    cur = Reflect.get(cur, k)
  }
  return cur
}

/** A copy of a record with the values of some keys replaced. */
export function replaced(record: RawRecord, keys: readonly string[], value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(record)) {
    // defineProperty, not assignment: a `__proto__` key stays a plain key.
    Object.defineProperty(copy, key, { value: keys.includes(key) ? value : Reflect.get(record, key), enumerable: true, configurable: true, writable: true })
  }
  return copy
}

export function quote(text: string): string {
  return `“${text.length > 60 ? `${text.slice(0, 57)}...` : text}”`
}

/** `a, b or c` */
export function listOr(items: readonly string[]): string {
  return joinWith(items, 'or')
}

/** `a, b and c` */
export function listAnd(items: readonly string[]): string {
  return joinWith(items, 'and')
}

function joinWith(items: readonly string[], word: string): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}`
}
