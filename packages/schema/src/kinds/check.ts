import type { z } from 'zod'
import type { ActivityStatus, Channel } from '../channels'
import type { Condition } from '../condition'
import { Duration, formatDuration, isDurationInRange, MAX_DURATION_MS, MIN_DURATION_MS, durationMs } from '../duration'
import type { IssueCode, ValidationIssue } from '../issues'
import { checkCondition } from '../validate-condition'
import { own, replaced } from '../validate-read'
import type { RawRecord } from '../validate-read'
import { explainZodIssues, fieldPath } from '../validate-zod'

/**
 * The tools every node kind's `check` uses to read its draft data and report what is wrong with
 * it, in the words and with the codes validateGraph answers.
 */

export type Position = { x: number; y: number }

/** What the graph checks need to know about one node, whether or not its data is valid. */
export interface NodeFacts<N = unknown> {
  /** The typed node, when everything about it is valid. */
  node: N | null
  /** An action's channel, when it is a known one. */
  channel: Channel | null
  /** The status an activity wait listens for, when it is a known one. */
  activityStatus: ActivityStatus | null
}

/** Parses a Liquid template without rendering it: null when it parses, else what is wrong. */
export type TemplateCheck = (template: string, kind: 'message' | 'webhook') => string | null

/** What a node is checked against beyond its own data: the workspace's webhooks, providers and Liquid. */
export interface NodeReferences {
  webhookIds?: ReadonlySet<string> | undefined
  providerIds?: ReadonlySet<string> | undefined
  checkTemplate?: TemplateCheck | undefined
}

export interface NodeContext {
  id: string
  name: string
  issues: ValidationIssue[]
  webhookIds: ReadonlySet<string> | undefined
  providerIds: ReadonlySet<string> | undefined
  checkTemplate: TemplateCheck | undefined
  /** Set once any issue is reported for the node, so no typed node is produced. */
  failed: boolean
}

export function report(ctx: NodeContext, code: IssueCode, message: string, field?: string): void {
  ctx.failed = true
  const issue: ValidationIssue = { code, nodeId: ctx.id, message: `In ${ctx.name}, ${message}` }
  if (field !== undefined) issue.field = field
  ctx.issues.push(issue)
}

/** Facts of a node that is neither an action nor an activity wait. */
export function plainFacts<N>(node: N | null): NodeFacts<N> {
  return { node, channel: null, activityStatus: null }
}

/** Stands in for a condition while zod parses the rest of the data; checkCondition owns conditions. */
const CHECKED_ELSEWHERE: Condition = { all: [] }

/**
 * Parses node data with its schema, with the conditions under `conditionKeys` replaced by a
 * stand-in. zod's problems under `handled` keys were already reported in better words.
 */
export function parseData<S extends z.ZodType>(
  ctx: NodeContext,
  schema: S,
  data: RawRecord,
  conditionKeys: readonly string[],
  handled: readonly string[] = [],
): z.output<S> | null {
  const present = conditionKeys.filter((key) => own(data, key) !== undefined)
  const result = schema.safeParse(present.length > 0 ? replaced(data, present, CHECKED_ELSEWHERE) : data)
  if (result.success) return result.data
  for (const p of explainZodIssues(result.error.issues, data)) {
    const top = p.path[0]
    if (typeof top === 'string' && (present.includes(top) || handled.includes(top))) continue
    report(ctx, 'node.invalid_data', p.message, fieldPath('data', p.path))
  }
  return null
}

/**
 * Checks the condition at `data[key]`, reporting its problems: the typed condition, undefined when
 * there is none, null when it is wrong.
 */
export function conditionAt(ctx: NodeContext, data: RawRecord, key: string): Condition | undefined | null {
  const raw = own(data, key)
  if (raw === undefined) return undefined
  const { problems, condition } = checkCondition(raw, `data.${key}`)
  for (const p of problems) report(ctx, p.code, p.message, p.field)
  return condition
}

/** Parsed data with its checked `where` put back in place of the stand-in. */
export function withWhere<T extends { where?: Condition }>(parsed: T | null, where: Condition | undefined | null): T | null {
  if (parsed === null || where === null) return null
  return where === undefined ? parsed : { ...parsed, where }
}

/** Liquid that would only fail when the message is sent is reported now, field by field. */
export function checkTemplates(ctx: NodeContext, fields: RawRecord, prefix: string, kind: 'message' | 'webhook'): void {
  if (ctx.checkTemplate === undefined) return
  for (const key of Object.keys(fields)) {
    const text = own(fields, key)
    if (typeof text !== 'string' || !/[{][{%]/.test(text)) continue
    const problem = ctx.checkTemplate(text, kind)
    if (problem !== null) report(ctx, 'template.invalid', `the ${key} is not valid Liquid (${problem}): fix the template.`, `${prefix}.${key}`)
  }
}

/** What is wrong with a duration's length (`what` of 400 days is too long...), or null. */
export function durationRangeProblem(raw: unknown, what: string): string | null {
  const parsed = Duration.safeParse(raw)
  if (!parsed.success || isDurationInRange(parsed.data)) return null
  const tooShort = durationMs(parsed.data) < MIN_DURATION_MS
  return `${what} of ${formatDuration(parsed.data)} is too ${tooShort ? 'short' : 'long'}: choose between 1 second and 1 year.`
}

export function checkRange(ctx: NodeContext, raw: unknown, field: string, what: string): void {
  const problem = durationRangeProblem(raw, what)
  if (problem !== null) report(ctx, 'duration.out_of_range', problem, field)
}

/** A date offset may be negative (before the date) but, like any duration, within a year. */
export function checkOffset(ctx: NodeContext, raw: unknown, field: string): void {
  const parsed = Duration.safeParse(raw)
  if (!parsed.success || parsed.data.amount === 0) return
  const magnitude = { amount: Math.abs(parsed.data.amount), unit: parsed.data.unit }
  if (isDurationInRange(magnitude)) return
  const tooLong = Math.abs(durationMs(parsed.data)) > MAX_DURATION_MS
  report(
    ctx,
    'duration.out_of_range',
    tooLong
      ? `the offset of ${formatDuration(parsed.data)} is too long: keep it within one year before or after the date.`
      : `the offset of ${formatDuration(parsed.data)} is shorter than a second: use 0 or at least 1 second.`,
    field,
  )
}
