/**
 * Maps keyed by the user's strings (node ids, outlets, trait names, webhook names, params).
 * A plain `{}` answers `constructor` and `toString` from `Object.prototype`, and assigning
 * `__proto__` replaces its prototype; a null-prototype object has neither problem and still
 * serialises as a plain JSON object.
 */
export function dict<V>(): Record<string, V> {
  return Object.create(null)
}

/** `record[key]` when it is the record's own entry, never a member of `Object.prototype`. */
export function own<V>(record: Readonly<Record<string, V>> | null | undefined, key: string): V | undefined
export function own(record: object, key: string): unknown
export function own(record: object | null | undefined, key: string): unknown {
  return record != null && Object.hasOwn(record, key) ? Reflect.get(record, key) : undefined
}
