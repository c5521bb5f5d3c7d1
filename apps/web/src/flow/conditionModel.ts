import { ConditionOp as ConditionOpSchema, type Condition, type ConditionLeaf, type ConditionOp } from '@switchyard/schema'

/** Where a part of a condition sits: child indexes from the root group (`not` has one child, 0). */
export type CondPath = readonly number[]

export type GroupKind = 'all' | 'any'

export function newLeaf(path = 'user.traits.'): ConditionLeaf {
  return { path, op: 'eq', value: '' }
}

/** The builder always edits a group at the root, so a single rule becomes `all: [rule]`. */
export function asRootGroup(c: Condition | null): Condition {
  if (!c) return { all: [] }
  if ('all' in c || 'any' in c || 'not' in c) return c
  return { all: [c] }
}

export function childrenOf(c: Condition): Condition[] {
  if ('all' in c) return c.all
  if ('any' in c) return c.any
  if ('not' in c) return [c.not]
  return []
}

function withChildren(c: Condition, children: Condition[]): Condition {
  if ('all' in c) return { all: children }
  if ('any' in c) return { any: children }
  if ('not' in c) return children[0] ? { not: children[0] } : { all: [] }
  return c
}

export function getAt(c: Condition, path: CondPath): Condition | undefined {
  let cur: Condition | undefined = c
  for (const i of path) cur = cur ? childrenOf(cur)[i] : undefined
  return cur
}

export function updateAt(c: Condition, path: CondPath, fn: (x: Condition) => Condition): Condition {
  const [head, ...rest] = path
  if (head === undefined) return fn(c)
  const kids = childrenOf(c)
  const kid = kids[head]
  if (!kid) return c
  return withChildren(c, kids.map((k, i) => (i === head ? updateAt(kid, rest, fn) : k)))
}

export function removeAt(c: Condition, path: CondPath): Condition {
  const parent = path.slice(0, -1)
  const index = path[path.length - 1]
  if (index === undefined) return { all: [] }
  return updateAt(c, parent, (p) => {
    const kids = childrenOf(p).filter((_, i) => i !== index)
    // Removing the only child of a `not` removes the `not` too.
    return 'not' in p ? { all: [] } : withChildren(p, kids)
  })
}

export function addChild(c: Condition, path: CondPath, child: Condition): Condition {
  return updateAt(c, path, (p) => ('not' in p ? p : withChildren(p, [...childrenOf(p), child])))
}

export function setGroupKind(c: Condition, path: CondPath, kind: GroupKind): Condition {
  return updateAt(c, path, (p) => {
    if ('not' in p || !('all' in p || 'any' in p)) return p
    const kids = childrenOf(p)
    return kind === 'all' ? { all: kids } : { any: kids }
  })
}

/** Wraps the part in `not`, or unwraps it when it already is one. */
export function toggleNot(c: Condition, path: CondPath): Condition {
  return updateAt(c, path, (p) => ('not' in p ? p.not : { not: p }))
}

export function isLeaf(c: Condition): c is ConditionLeaf {
  return 'path' in c
}

/** What the user typed as a value, as the JSON value the engine compares: numbers and booleans stay typed. */
export function parseValueInput(text: string, op: ConditionOp): unknown {
  if (op === 'exists') return undefined
  if (op === 'in') return text.split(',').map((s) => parseScalar(s.trim())).filter((v) => v !== '')
  return parseScalar(text)
}

function parseScalar(text: string): unknown {
  if (text === 'true') return true
  if (text === 'false') return false
  const n = Number(text)
  // Only canonical numbers become numbers, so "0042" or "1e3" stay as typed.
  if (text.trim() !== '' && Number.isFinite(n) && String(n) === text) return n
  return text
}

export function formatValueInput(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (Array.isArray(value)) return value.map((v) => formatValueInput(v)).join(', ')
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

/** Changing the operator keeps the value when it still makes sense. */
export function changeOp(leaf: ConditionLeaf, op: ConditionOp): ConditionLeaf {
  if (op === 'exists') return { path: leaf.path, op }
  const text = formatValueInput(leaf.value)
  return { path: leaf.path, op, value: parseValueInput(text, op) }
}

export function countLeaves(c: Condition): number {
  return isLeaf(c) ? 1 : childrenOf(c).reduce((n, k) => n + countLeaves(k), 0)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/**
 * Reads a condition as a draft holds it: rules may still be half typed (`user.traits.`), which the
 * schema rejects but the builder must keep showing. Returns null when it is not condition-shaped.
 */
export function readDraftCondition(v: unknown): Condition | null {
  if (!isObject(v)) return null
  if (Array.isArray(v.all)) return { all: v.all.map(readDraftCondition).filter((c): c is Condition => c !== null) }
  if (Array.isArray(v.any)) return { any: v.any.map(readDraftCondition).filter((c): c is Condition => c !== null) }
  if ('not' in v) {
    const inner = readDraftCondition(v.not)
    return inner ? { not: inner } : null
  }
  if (typeof v.path === 'string') {
    const op = ConditionOpSchema.safeParse(v.op)
    const leaf: ConditionLeaf = { path: v.path, op: op.success ? op.data : 'eq' }
    if ('value' in v) leaf.value = v.value
    return leaf
  }
  return null
}
