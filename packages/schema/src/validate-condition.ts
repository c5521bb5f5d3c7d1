import { assertNever, CONDITION_OPS, ConditionPath, isPathRoot, MAX_CONDITION_DEPTH, pathRoot } from './condition'
import type { Condition, ConditionLeaf } from './condition'
import type { IssueCode } from './issues'
import { isRecord, listOr, own, quote } from './validate-read'

export interface ConditionProblem {
  code: Extract<IssueCode, 'condition.malformed' | 'condition.unknown_operator' | 'condition.unknown_path_root'>
  field: string
  /** Starts in lower case, to follow "In Condition “c”, ". */
  message: string
}

const GROUP_KEYS = ['all', 'any', 'not'] as const
const OPS_LIST = listOr([...CONDITION_OPS])

function isScalar(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
}

export interface CheckedCondition {
  problems: ConditionProblem[]
  /** The typed condition, when there are no problems. */
  condition: Condition | null
}

/**
 * Checks a condition as raw JSON, so each mistake gets its own code and sentence instead of one
 * opaque union error, and builds the typed condition (zod's recursive union is neither bounded
 * nor cheap). Recursion is bounded by MAX_CONDITION_DEPTH.
 */
export function checkCondition(value: unknown, field: string): CheckedCondition {
  const problems: ConditionProblem[] = []
  const condition = walk(value, field, 1, problems, { tooDeep: false })
  return { problems, condition: problems.length === 0 ? condition : null }
}

function walk(value: unknown, field: string, depth: number, out: ConditionProblem[], state: { tooDeep: boolean }): Condition | null {
  if (depth > MAX_CONDITION_DEPTH) {
    if (!state.tooDeep) {
      state.tooDeep = true
      out.push({ code: 'condition.malformed', field, message: `the condition is nested more than ${MAX_CONDITION_DEPTH} levels deep: simplify it.` })
    }
    return null
  }
  if (!isRecord(value)) {
    out.push({ code: 'condition.malformed', field, message: 'a part of the condition is neither a rule nor a group of rules: remove it or set it up again.' })
    return null
  }
  const groups = GROUP_KEYS.filter((k) => own(value, k) !== undefined)
  const isLeaf = own(value, 'path') !== undefined || own(value, 'op') !== undefined
  if (groups.length > 1) {
    out.push({ code: 'condition.malformed', field, message: `a group of rules mixes ${listOr(groups.map((g) => `“${g}”`))}: keep one of them per group.` })
    return null
  }
  const group = groups[0]
  if (group !== undefined && isLeaf) {
    out.push({ code: 'condition.malformed', field, message: 'a part of the condition is both a rule and a group of rules: split it in two.' })
    return null
  }
  switch (group) {
    case 'all':
    case 'any': {
      const items = own(value, group)
      if (!Array.isArray(items)) {
        out.push({ code: 'condition.malformed', field: `${field}.${group}`, message: `the “${group}” group must hold a list of rules.` })
        return null
      }
      const children: Condition[] = []
      let complete = true
      for (let i = 0; i < items.length; i++) {
        const item: unknown = items[i]
        const child = walk(item, `${field}.${group}.${i}`, depth + 1, out, state)
        if (child === null) complete = false
        else children.push(child)
      }
      if (!complete) return null
      return group === 'all' ? { all: children } : { any: children }
    }
    case 'not': {
      const child = walk(own(value, 'not'), `${field}.not`, depth + 1, out, state)
      return child === null ? null : { not: child }
    }
    case undefined:
      return checkLeaf(value, field, out)
    default:
      return assertNever(group)
  }
}

function checkLeaf(leaf: object, field: string, out: ConditionProblem[]): ConditionLeaf | null {
  const before = out.length
  const path = own(leaf, 'path')
  const op = own(leaf, 'op')
  const value = own(leaf, 'value')
  let subject = 'a rule'
  if (typeof path !== 'string' || path.trim() === '') {
    out.push({ code: 'condition.malformed', field: `${field}.path`, message: 'a rule does not say which property it checks: choose one, e.g. user.traits.country.' })
  } else {
    subject = `the rule on ${quote(path)}`
    if (!isPathRoot(pathRoot(path))) {
      out.push({
        code: 'condition.unknown_path_root',
        field: `${field}.path`,
        message: `${subject} reads neither the event nor the user: start the property with “event.” or “user.”, e.g. user.traits.country.`,
      })
    } else if (!ConditionPath.safeParse(path).success) {
      out.push({ code: 'condition.malformed', field: `${field}.path`, message: `the property ${quote(path)} is incomplete: name a property after the dot, e.g. user.traits.country.` })
    }
  }
  if (typeof op !== 'string' || op === '') {
    out.push({ code: 'condition.malformed', field: `${field}.op`, message: `${subject} does not say how to compare: choose one of ${OPS_LIST}.` })
    return null
  }
  const known = CONDITION_OPS.find((o) => o === op)
  if (known === undefined) {
    out.push({ code: 'condition.unknown_operator', field: `${field}.op`, message: `${subject} compares with ${quote(op)}, which Switchyard does not know: choose one of ${OPS_LIST}.` })
    return null
  }
  const problem = valueProblem(known, value, subject)
  if (problem !== null) out.push({ code: 'condition.malformed', field: `${field}.value`, message: problem })
  if (out.length > before || typeof path !== 'string') return null
  if (value === undefined) return { path, op: known }
  // A copy, so the typed graph shares nothing mutable with the input.
  return { path, op: known, value: Array.isArray(value) ? [...value] : value }
}

function valueProblem(op: (typeof CONDITION_OPS)[number], value: unknown, subject: string): string | null {
  switch (op) {
    case 'exists':
      // `value: false` asks for the property to be absent (see evaluateCondition).
      return value === undefined || typeof value === 'boolean' ? null : `${subject} checks whether the property exists, so it takes no value: remove the value.`
    case 'in':
      if (!Array.isArray(value)) return `${subject} checks whether the property is one of a list: give a list of values.`
      return value.every((v: unknown) => isScalar(v)) ? null : `${subject} has a list with a value that is not text, a number or true/false: fix the list.`
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (value === undefined) return `${subject} has no value to compare with: fill in a number or a date.`
      return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string' ? null : `${subject} compares order, so its value must be a number, a date or a text.`
    case 'eq':
    case 'neq':
    case 'contains':
      if (value === undefined) return `${subject} has no value to compare with: fill in a value.`
      return isScalar(value) ? null : `${subject} compares with a list or a group: give a single value (text, a number or true/false), or use “in” for a list.`
    default:
      return assertNever(op)
  }
}
