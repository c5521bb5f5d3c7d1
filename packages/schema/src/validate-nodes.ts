import type { z } from 'zod'
import { ActivityStatus, Channel, CHANNEL_LABELS, MESSAGE_SCHEMAS } from './channels'
import { assertNever, ConditionPath } from './condition'
import type { Condition } from './condition'
import { Duration, formatDuration, isDurationInRange, MAX_DURATION_MS, MIN_DURATION_MS, durationMs } from './duration'
import type { IssueCode, ValidationIssue } from './issues'
import { ActionData, ConditionData, DelayData, ExitData, NODE_KINDS, TriggerData, WaitForEventData, WebhookData } from './nodes'
import type { JourneyNode, NodeType } from './nodes'
import { checkCondition } from './validate-condition'
import { isRecord, listOr, own, quote, replaced } from './validate-read'
import type { RawRecord } from './validate-read'
import { explainZodIssues, fieldPath } from './validate-zod'

/** What the graph checks need to know about one node, whether or not its data is valid. */
export interface NodeFacts {
  /** The typed node, when everything about it is valid. */
  node: JourneyNode | null
  /** An action's channel, when it is a known one. */
  channel: Channel | null
  /** The status an activity wait listens for, when it is a known one. */
  activityStatus: ActivityStatus | null
}

/** How messages name a node: `Wait for event “w1”`. */
export function nodeName(type: NodeType | null, id: string): string {
  return type === null ? `the step ${quote(id)}` : `${NODE_KINDS[type].label} ${quote(id)}`
}

interface NodeContext {
  id: string
  name: string
  issues: ValidationIssue[]
  webhookIds: ReadonlySet<string> | undefined
  providerIds: ReadonlySet<string> | undefined
  checkTemplate: TemplateCheck | undefined
  /** Set once any issue is reported for the node, so no typed node is produced. */
  failed: boolean
}

function report(ctx: NodeContext, code: IssueCode, message: string, field?: string): void {
  ctx.failed = true
  const issue: ValidationIssue = { code, nodeId: ctx.id, message: `In ${ctx.name}, ${message}` }
  if (field !== undefined) issue.field = field
  ctx.issues.push(issue)
}

/** Stands in for a condition while zod parses the rest of the data; checkCondition owns conditions. */
const CHECKED_ELSEWHERE: Condition = { all: [] }

/**
 * Parses node data with its schema, with the conditions under `conditionKeys` replaced by a
 * stand-in. zod's problems under `handled` keys were already reported in better words.
 */
function parseData<S extends z.ZodType>(ctx: NodeContext, schema: S, data: RawRecord, conditionKeys: readonly string[], handled: readonly string[] = []): z.output<S> | null {
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
function conditionAt(ctx: NodeContext, data: RawRecord, key: string): Condition | undefined | null {
  const raw = own(data, key)
  if (raw === undefined) return undefined
  const { problems, condition } = checkCondition(raw, `data.${key}`)
  for (const p of problems) report(ctx, p.code, p.message, p.field)
  return condition
}

/** Parsed data with its checked `where` put back in place of the stand-in. */
function withWhere<T extends { where?: Condition }>(parsed: T | null, where: Condition | undefined | null): T | null {
  if (parsed === null || where === null) return null
  return where === undefined ? parsed : { ...parsed, where }
}

/** Liquid that would only fail when the message is sent is reported now, field by field. */
function checkTemplates(ctx: NodeContext, fields: RawRecord, prefix: string, kind: 'message' | 'webhook'): void {
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

function checkRange(ctx: NodeContext, raw: unknown, field: string, what: string): void {
  const problem = durationRangeProblem(raw, what)
  if (problem !== null) report(ctx, 'duration.out_of_range', problem, field)
}

function checkOffset(ctx: NodeContext, raw: unknown): void {
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
    'data.until.offset',
  )
}

function checkPosition(ctx: NodeContext, raw: unknown): { x: number; y: number } | null {
  if (raw === undefined) return { x: 0, y: 0 }
  if (isRecord(raw)) {
    const x = own(raw, 'x')
    const y = own(raw, 'y')
    if (typeof x === 'number' && Number.isFinite(x) && typeof y === 'number' && Number.isFinite(y)) return { x, y }
  }
  report(ctx, 'node.invalid_data', 'its place on the canvas is damaged: move the step to fix it.', 'position')
  return null
}

/** Checks one node's position and data, reporting every problem into `issues`. */
/** What a node is checked against beyond its own data: the workspace's webhooks, providers and Liquid. */
export interface NodeReferences {
  webhookIds?: ReadonlySet<string> | undefined
  providerIds?: ReadonlySet<string> | undefined
  checkTemplate?: TemplateCheck | undefined
}

/** Parses a Liquid template without rendering it: null when it parses, else what is wrong. */
export type TemplateCheck = (template: string, kind: 'message' | 'webhook') => string | null

export function checkNode(id: string, type: NodeType, rawPosition: unknown, rawData: unknown, issues: ValidationIssue[], refs: NodeReferences): NodeFacts {
  const ctx: NodeContext = { id, name: nodeName(type, id), issues, webhookIds: refs.webhookIds, providerIds: refs.providerIds, checkTemplate: refs.checkTemplate, failed: false }
  const position = checkPosition(ctx, rawPosition)
  // The canvas may omit `data` on steps that have none yet (DraftNode defaults it too).
  const data = rawData === undefined ? {} : rawData
  if (!isRecord(data)) {
    report(ctx, 'node.invalid_data', 'its settings are damaged: open the step and set it up again.', 'data')
    return { node: null, channel: null, activityStatus: null }
  }
  const facts = checkData(ctx, type, data, position ?? { x: 0, y: 0 })
  return ctx.failed ? { ...facts, node: null } : facts
}

type Position = { x: number; y: number }

function checkData(ctx: NodeContext, type: NodeType, data: RawRecord, position: Position): NodeFacts {
  const { id } = ctx
  switch (type) {
    case 'trigger': {
      const where = conditionAt(ctx, data, 'where')
      const parsed = withWhere(parseData(ctx, TriggerData, data, ['where']), where)
      return { node: parsed && { id, type, position, data: parsed }, channel: null, activityStatus: null }
    }
    case 'action':
      return checkAction(ctx, data, position)
    case 'waitForEvent':
      return checkWait(ctx, data, position)
    case 'webhook': {
      const parsed = parseData(ctx, WebhookData, data, [])
      const webhookId = own(data, 'webhookId')
      if (ctx.webhookIds !== undefined && typeof webhookId === 'string' && webhookId !== '' && !ctx.webhookIds.has(webhookId)) {
        report(ctx, 'webhook.unknown', `the webhook ${quote(webhookId)} is not configured (it may have been deleted): choose one of the configured webhooks.`, 'data.webhookId')
      }
      const body = own(data, 'body')
      if (isRecord(body)) checkTemplates(ctx, { template: own(body, 'template') }, 'data.body', 'webhook')
      return { node: parsed && { id, type, position, data: parsed }, channel: null, activityStatus: null }
    }
    case 'delay':
      return checkDelay(ctx, data, position)
    case 'condition': {
      if (own(data, 'where') === undefined) {
        report(ctx, 'node.invalid_data', 'there is no rule yet: add the rule that decides who takes the yes path.', 'data.where')
      }
      const where = conditionAt(ctx, data, 'where')
      const parsed = withWhere(parseData(ctx, ConditionData, data, ['where'], ['where']), where)
      return { node: parsed && { id, type, position, data: parsed }, channel: null, activityStatus: null }
    }
    case 'exit': {
      const parsed = parseData(ctx, ExitData, data, [])
      return { node: parsed && { id, type, position, data: parsed }, channel: null, activityStatus: null }
    }
    default:
      return assertNever(type)
  }
}

function checkAction(ctx: NodeContext, data: RawRecord, position: Position): NodeFacts {
  const channel = Channel.safeParse(own(data, 'channel'))
  if (!channel.success) {
    const labels = Object.values(CHANNEL_LABELS)
    report(ctx, 'node.invalid_data', `choose the channel to send the message on: ${listOr(labels)}.`, 'data.channel')
  }
  const parsed = parseData(ctx, ActionData, data, [], ['channel'])
  const rawMessage = own(data, 'message') ?? {}
  if (channel.success && isRecord(rawMessage)) {
    const result = MESSAGE_SCHEMAS[channel.data].safeParse(rawMessage)
    if (!result.success) {
      for (const p of explainZodIssues(result.error.issues, rawMessage)) {
        report(ctx, 'action.invalid_message', `the ${CHANNEL_LABELS[channel.data]} message is not ready to send: ${p.message}`, fieldPath('data.message', p.path))
      }
    }
  }
  const providerId = own(data, 'providerId')
  if (ctx.providerIds !== undefined && typeof providerId === 'string' && providerId !== '' && !ctx.providerIds.has(providerId)) {
    report(ctx, 'provider.unknown', `the provider ${quote(providerId)} is not configured (it may have been deleted): choose a configured provider or the channel's default.`, 'data.providerId')
  }
  if (isRecord(rawMessage)) checkTemplates(ctx, rawMessage, 'data.message', 'message')
  const node: JourneyNode | null = parsed && { id: ctx.id, type: 'action', position, data: parsed }
  return { node, channel: channel.success ? channel.data : null, activityStatus: null }
}

function checkWait(ctx: NodeContext, data: RawRecord, position: Position): NodeFacts {
  const hasActivity = own(data, 'activity') !== undefined
  const hasEvent = own(data, 'event') !== undefined
  const [activityBranch, eventBranch] = WaitForEventData.options
  const handled: string[] = []
  if (hasActivity && hasEvent) {
    report(ctx, 'node.invalid_data', 'the wait listens both for activity on a message and for an event: keep only one of them.', 'data.event')
    handled.push('event')
  } else if (!hasActivity && !hasEvent) {
    report(ctx, 'node.invalid_data', 'choose what to wait for: activity on the message sent before (e.g. a click), or an event the user performs.', 'data.event')
    handled.push('event')
  }
  const where = conditionAt(ctx, data, 'where')
  const parsed = hasActivity ? withWhere(parseData(ctx, activityBranch, data, ['where'], handled), where) : withWhere(parseData(ctx, eventBranch, data, ['where'], handled), where)
  checkRange(ctx, own(data, 'within'), 'data.within', 'the waiting time')
  const activity = own(data, 'activity')
  const status = ActivityStatus.safeParse(isRecord(activity) ? own(activity, 'status') : undefined)
  const node: JourneyNode | null = parsed && { id: ctx.id, type: 'waitForEvent', position, data: parsed }
  return { node, channel: null, activityStatus: hasActivity && status.success ? status.data : null }
}

function checkDelay(ctx: NodeContext, data: RawRecord, position: Position): NodeFacts {
  const hasFor = own(data, 'for') !== undefined
  const hasUntil = own(data, 'until') !== undefined
  const [forBranch, untilBranch] = DelayData.options
  const handled: string[] = []
  if (hasFor && hasUntil) {
    report(ctx, 'node.invalid_data', 'the delay has both a fixed time and a date to wait for: keep only one of them.', 'data.for')
    handled.push('for')
  } else if (!hasFor && !hasUntil) {
    report(ctx, 'node.invalid_data', 'choose how long to wait: a fixed time, or until a date in the event or the user profile.', 'data.for')
    handled.push('for')
  }
  const parsed = hasUntil ? parseData(ctx, untilBranch, data, [], handled) : parseData(ctx, forBranch, data, [], handled)
  if (hasUntil) {
    const until = own(data, 'until')
    const path = isRecord(until) ? own(until, 'path') : undefined
    if (typeof path === 'string' && !ConditionPath.safeParse(path).success) {
      const hint = path === '' ? 'choose the date property to wait for' : `the date property ${quote(path)} is neither in the event nor in the user profile`
      report(ctx, 'delay.invalid_path', `${hint}: start it with “event.” or “user.”, e.g. event.properties.purchasedAt.`, 'data.until.path')
    }
    if (isRecord(until)) checkOffset(ctx, own(until, 'offset'))
  } else {
    checkRange(ctx, own(data, 'for'), 'data.for', 'the delay')
  }
  const node: JourneyNode | null = parsed && { id: ctx.id, type: 'delay', position, data: parsed }
  return { node, channel: null, activityStatus: null }
}
