import { z } from 'zod'

export const CONDITION_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'in', 'exists'] as const
export const ConditionOp = z.enum(CONDITION_OPS)
export type ConditionOp = z.infer<typeof ConditionOp>

/** A condition path starts with one of these roots: `event.properties.cabin`, `user.traits.country`. */
export const PATH_ROOTS = ['event', 'user'] as const
export type PathRoot = (typeof PATH_ROOTS)[number]

export const ConditionPath = z
  .string()
  .regex(/^(event|user)(\.[^.]+)+$/, 'A path starts with "event." or "user." followed by a property, e.g. user.traits.country.')

export type ConditionLeaf = { path: string; op: ConditionOp; value?: unknown }
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | ConditionLeaf

export const ConditionLeaf = z.object({ path: ConditionPath, op: ConditionOp, value: z.unknown().optional() })

/** Deeper nesting is refused: nobody draws it, and parsing it recursively could exhaust the stack. */
export const MAX_CONDITION_DEPTH = 32

/** Bounded by `levels`, so it is safe on any input. Looks into every branch zod's union may try. */
function nestedDeeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (levels === 0) return true
  const children: unknown[] = []
  if ('all' in value && Array.isArray(value.all)) children.push(...value.all)
  if ('any' in value && Array.isArray(value.any)) children.push(...value.any)
  if ('not' in value) children.push(value.not)
  return children.some((c) => nestedDeeperThan(c, levels - 1))
}

const ConditionTree: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(ConditionTree) }),
    z.object({ any: z.array(ConditionTree) }),
    z.object({ not: ConditionTree }),
    ConditionLeaf,
  ]),
)
// A preprocess step rather than a refine: it runs before the recursive parse, and JSON Schema
// generation still describes the tree.
export const Condition: z.ZodType<Condition> = z.preprocess((value, ctx) => {
  if (nestedDeeperThan(value, MAX_CONDITION_DEPTH)) ctx.addIssue({ code: 'custom', message: `A condition may be nested at most ${MAX_CONDITION_DEPTH} levels deep.` })
  return value
}, ConditionTree)

/** Values conditions are evaluated against. */
export interface ConditionScope {
  event?: unknown
  user?: unknown
}

export function pathRoot(path: string): string {
  const dot = path.indexOf('.')
  return dot < 0 ? path : path.slice(0, dot)
}

export function isPathRoot(root: string): root is PathRoot {
  return PATH_ROOTS.some((r) => r === root)
}

/** Reads `a.b.c` from a scope; own properties only, so `__proto__` and friends read as undefined. */
export function readPath(scope: ConditionScope, path: string): unknown {
  let cur: unknown = scope
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined
    cur = Reflect.get(cur, key)
  }
  return cur
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') {
    const da = Date.parse(a)
    const db = Date.parse(b)
    // ISO dates compare as times; other strings compare lexically.
    if (!Number.isNaN(da) && !Number.isNaN(db) && /\d{4}-\d{2}-\d{2}/.test(a) && /\d{4}-\d{2}-\d{2}/.test(b)) return da - db
    return a < b ? -1 : a > b ? 1 : 0
  }
  if (typeof a === 'number' && typeof b === 'string' && b.trim() !== '' && !Number.isNaN(Number(b))) return a - Number(b)
  if (typeof a === 'string' && typeof b === 'number' && a.trim() !== '' && !Number.isNaN(Number(a))) return Number(a) - b
  return null
}

function looselyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  const c = compare(a, b)
  return c === 0 && typeof a !== typeof b
}

function evaluateLeaf(leaf: ConditionLeaf, scope: ConditionScope): boolean {
  const actual = readPath(scope, leaf.path)
  const expected = leaf.value
  switch (leaf.op) {
    case 'exists':
      return expected === false ? actual === undefined || actual === null : actual !== undefined && actual !== null
    case 'eq':
      return looselyEqual(actual, expected)
    case 'neq':
      return !looselyEqual(actual, expected)
    case 'gt': {
      const c = compare(actual, expected)
      return c !== null && c > 0
    }
    case 'gte': {
      const c = compare(actual, expected)
      return c !== null && c >= 0
    }
    case 'lt': {
      const c = compare(actual, expected)
      return c !== null && c < 0
    }
    case 'lte': {
      const c = compare(actual, expected)
      return c !== null && c <= 0
    }
    case 'contains':
      if (typeof actual === 'string') return typeof expected === 'string' && actual.includes(expected)
      if (Array.isArray(actual)) return actual.some((v) => looselyEqual(v, expected))
      return false
    case 'in':
      return Array.isArray(expected) && expected.some((v) => looselyEqual(actual, v))
    default:
      return assertNever(leaf.op)
  }
}

/** Evaluates a (valid) condition. Unknown paths read as undefined; type mismatches are false. */
export function evaluateCondition(c: Condition, scope: ConditionScope): boolean {
  if ('all' in c) return c.all.every((x) => evaluateCondition(x, scope))
  if ('any' in c) return c.any.some((x) => evaluateCondition(x, scope))
  if ('not' in c) return !evaluateCondition(c.not, scope)
  return evaluateLeaf(c, scope)
}

export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(x)}`)
}
