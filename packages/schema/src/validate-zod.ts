import type { z } from 'zod'
import { assertNever } from './condition'
import { listOr, own, readAt } from './validate-read'

/** One readable problem with a field of a node, before it is tied to the node. */
export interface FieldProblem {
  /** Path inside the value that was parsed, e.g. `['within', 'amount']`. */
  path: PropertyKey[]
  /** A sentence that starts in lower case, so it can follow "In Delay “d”, ". */
  message: string
}

type Issue = z.core.$ZodIssue

/** Names of fields as a marketer sees them in the inspector. */
const FIELD_LABELS: Record<string, string> = {
  event: 'the event name',
  where: 'the condition',
  within: 'how long to wait',
  'within.amount': 'how long to wait',
  'within.unit': 'the unit of the waiting time',
  for: 'how long to wait',
  'for.amount': 'how long to wait',
  'for.unit': 'the unit of the waiting time',
  until: 'the date to wait for',
  'until.path': 'the date property',
  offset: 'the offset',
  'offset.amount': 'the offset',
  'offset.unit': 'the unit of the offset',
  channel: 'the channel',
  message: 'the message',
  providerId: 'the provider',
  activity: 'the activity to wait for',
  'activity.status': 'the activity status to wait for',
  webhookId: 'the webhook',
  params: 'the attributes to pass',
  customParams: 'the custom parameters',
  body: 'the body',
  'body.kind': 'the body format',
  'body.template': 'the body template',
  subject: 'the subject',
  text: 'the text',
  title: 'the title',
  from: 'the sender',
  html: 'the HTML setting',
  url: 'the link',
  imageUrl: 'the image link',
  template: 'the template',
}

function lookup(key: string): string | undefined {
  return own(FIELD_LABELS, key)
}

function fieldLabel(path: readonly PropertyKey[]): string {
  const keys = path.filter((k): k is string => typeof k === 'string')
  const last = keys[keys.length - 1]
  if (last === undefined) return 'the settings'
  const parent = keys[keys.length - 2]
  if (parent === 'customParams') return `the custom parameter “${last}”`
  if (last === 'params' && typeof path[path.length - 1] === 'number') return 'each attribute to pass'
  return (parent !== undefined ? lookup(`${parent}.${last}`) : undefined) ?? lookup(last) ?? `the field “${last}”`
}

const EXPECTED_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a group of settings',
  record: 'a group of settings',
}

/** zod's own English messages start like this; messages written in our schemas do not. */
function isOwnMessage(message: string): boolean {
  return !/^(Invalid|Too (small|big)|Unrecognized|Expected)/.test(message)
}

export function lowerFirst(sentence: string): string {
  // "An email needs..." -> "an email needs...", but "SMS ..." stays.
  if (sentence.length > 1 && /[a-z]/.test(sentence.charAt(1))) return sentence.charAt(0).toLowerCase() + sentence.slice(1)
  return sentence
}

function explainOne(issue: Issue, path: PropertyKey[], raw: unknown): FieldProblem[] {
  const label = fieldLabel(path)
  const own = isOwnMessage(issue.message) ? lowerFirst(issue.message) : null
  switch (issue.code) {
    case 'invalid_type': {
      if (own !== null) return [{ path, message: own }]
      if (issue.expected === 'undefined') return [{ path, message: `remove ${label}: it does not belong here.` }]
      if (readAt(raw, path) === undefined) return [{ path, message: `fill in ${label}.` }]
      const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected
      return [{ path, message: `${label} must be ${expected}.` }]
    }
    case 'too_small': {
      if (own !== null) return [{ path, message: own }]
      if (issue.origin === 'string') return [{ path, message: Number(issue.minimum) <= 1 ? `fill in ${label}.` : `${label} must be at least ${issue.minimum} characters long.` }]
      if (issue.origin === 'array') return [{ path, message: `${label} needs at least ${issue.minimum} item(s).` }]
      return [{ path, message: `${label} must be at least ${issue.minimum}.` }]
    }
    case 'too_big': {
      if (own !== null) return [{ path, message: own }]
      if (issue.origin === 'string') return [{ path, message: `${label} is too long: keep it to ${issue.maximum} characters.` }]
      if (issue.origin === 'array') return [{ path, message: `${label} has too many items: keep it to ${issue.maximum}.` }]
      return [{ path, message: `${label} must be at most ${issue.maximum}.` }]
    }
    case 'invalid_value':
      return [{ path, message: own ?? `choose ${label}: ${listOr(issue.values.map((v) => String(v)))}.` }]
    case 'invalid_format':
      return [{ path, message: own ?? `${label} is not written the way it should be.` }]
    case 'not_multiple_of':
      return [{ path, message: own ?? `${label} must be a multiple of ${issue.divisor}.` }]
    case 'unrecognized_keys':
      return [{ path, message: `remove ${listOr(issue.keys.map((k) => `“${k}”`))}: they do not belong here.` }]
    case 'invalid_key':
    case 'invalid_element':
      return [{ path, message: `${label} has an entry that is not valid: check its names and values.` }]
    case 'invalid_union': {
      if ('options' in issue && issue.options !== undefined && issue.options.length > 0) {
        return [{ path, message: `choose ${label}: ${listOr(issue.options.map((v) => String(v)))}.` }]
      }
      // Explain the alternative that came closest: the one with the fewest problems.
      let best: Issue[] | undefined
      for (const branch of issue.errors) if (best === undefined || branch.length < best.length) best = branch
      if (best === undefined || best.length === 0) return [{ path, message: `${label} is not valid: check it again.` }]
      return explainZodIssues(best, raw, path)
    }
    case 'custom':
      return [{ path, message: own ?? `${label} is not valid: check it again.` }]
    default:
      return assertNever(issue)
  }
}

/**
 * Turns zod issues into sentences. `raw` is the value that was parsed, read to tell a missing field
 * ("fill in the subject") from a wrong one ("the subject must be text").
 */
export function explainZodIssues(issues: readonly Issue[], raw: unknown, base: readonly PropertyKey[] = []): FieldProblem[] {
  const problems: FieldProblem[] = []
  for (const issue of issues) problems.push(...explainOne(issue, [...base, ...issue.path], raw))
  return problems
}

/** `['within', 'amount']` -> `within.amount` */
export function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  let field = prefix
  for (const key of path) field += `.${String(key)}`
  return field
}
