import type { JoinedWrite } from '@switchyard/storage'
import {
  DeliveryStatus,
  WebhookAlertKind,
  WebhookEncoding,
  WebhookJobSchema,
  WebhookRetryPolicy,
  WebhookState,
  WebhookTestStatus,
  isJsonObject,
  isWebhookJobShape,
  versionedRecord,
} from '@switchyard/schema'
import { z } from 'zod'

/**
 * The webhooks tables as typed rows, and the store both backends implement. Every row read is
 * parsed: the database is an edge, and a row written by an older version must fail loudly here
 * rather than deep in the dispatcher. Both backends store the same column types (JSON as text,
 * flags as 0/1, times as epoch ms), so one set of row schemas reads both.
 */

/**
 * A webhook's configuration as stored; secrets only ever sealed. `v` versions the JSON itself.
 * v2 seals every header and query value (each value on its own, names in the clear).
 */
export const StoredConfig = z.object({
  v: z.literal(2),
  url: z.string(),
  encoding: WebhookEncoding,
  auth: z.object({ username: z.string(), passwordSealed: z.string() }).nullable(),
  /** Header name -> sealed value. */
  headersSealed: z.record(z.string(), z.string()),
  /** Query parameter name -> sealed value. */
  querySealed: z.record(z.string(), z.string()),
  timeoutMs: z.number().int(),
  retry: WebhookRetryPolicy,
  signingSecretSealed: z.string().nullable(),
  events: z.array(z.string()),
})
export type StoredConfig = z.infer<typeof StoredConfig>

/** v1 kept header and query values in plain text; `sealLegacyConfigs` rewrites such rows as v2 at start. */
const StoredConfigV1 = StoredConfig.omit({ v: true, headersSealed: true, querySealed: true }).extend({
  v: z.literal(1),
  headers: z.record(z.string(), z.string()),
  query: z.record(z.string(), z.string()),
})

/** The v1 -> v2 step: seals the header and query values, keeps everything else. */
export function upgradeConfig(raw: unknown, seal: (plain: string) => string): StoredConfig | null {
  const v1 = StoredConfigV1.safeParse(raw)
  if (!v1.success) return null
  const { headers, query, v: _v, ...rest } = v1.data
  const sealAll = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, seal(v)]))
  return { ...rest, v: 2, headersSealed: sealAll(headers), querySealed: sealAll(query) }
}

const Flag = z.union([z.literal(0), z.literal(1)]).transform((v) => v === 1)

export const WebhookRow = z
  .object({
    id: z.string(),
    name: z.string(),
    config: z.string(),
    enabled: Flag,
    test_status: WebhookTestStatus,
    last_tested_at: z.number().nullable(),
    state: WebhookState,
    paused_until: z.number().nullable(),
    consecutive_failures: z.number().int(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .transform((r) => ({
    id: r.id,
    name: r.name,
    config: StoredConfig.parse(JSON.parse(r.config)),
    enabled: r.enabled,
    testStatus: r.test_status,
    lastTestedAt: r.last_tested_at,
    state: r.state,
    pausedUntil: r.paused_until,
    consecutiveFailures: r.consecutive_failures,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }))
export type WebhookRecord = z.output<typeof WebhookRow>

/** An account event's delivery: the body is built when the event is emitted and kept as sent. */
export const AccountJob = z.object({
  kind: z.literal('account'),
  type: z.string(),
  eventId: z.string(),
  body: z.record(z.string(), z.unknown()),
})
export type AccountJob = z.infer<typeof AccountJob>

export const StoredJob = z.union([WebhookJobSchema, AccountJob])
export type StoredJob = z.infer<typeof StoredJob>

function isAccountJobShape(v: unknown): v is AccountJob {
  return isJsonObject(v) && v.kind === 'account' && typeof v.type === 'string' && typeof v.eventId === 'string' && isJsonObject(v.body)
}

/**
 * `webhook_deliveries.job`: rows written before versioned records hold the bare job (v1). Read for
 * every delivery a claim takes, so rows at the current version get the top-level check (as the
 * engine's outbox jobs do) instead of the union's parse.
 */
export const StoredJobRecord = versionedRecord({ name: 'webhook delivery job', version: 1, schema: StoredJob, currentCheck: (v): v is StoredJob => isWebhookJobShape(v) || isAccountJobShape(v) })

const DeliveryColumns = z.object({
  id: z.string(),
  webhook_id: z.string(),
  source: z.enum(['journey', 'account']),
  job: z.string(),
  status: DeliveryStatus,
  attempts: z.number().int(),
  replay_base: z.number().int(),
  next_attempt_at: z.number().nullable(),
  batch_id: z.string().nullable(),
  last_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
})

function toDelivery(r: z.infer<typeof DeliveryColumns>) {
  return {
    id: r.id,
    webhookId: r.webhook_id,
    source: r.source,
    job: StoredJobRecord.decode(r.job),
    status: r.status,
    attempts: r.attempts,
    replayBase: r.replay_base,
    nextAttemptAt: r.next_attempt_at,
    batchId: r.batch_id,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

export const DeliveryRow = DeliveryColumns.transform(toDelivery)
export type DeliveryRecord = z.output<typeof DeliveryRow>

const DELIVERY_STATUSES: ReadonlySet<unknown> = new Set(DeliveryStatus.options)

/** Columns as this build's SQLite store reads them back: checked by hand, without the schema's copy. */
function isDeliveryColumns(r: unknown): r is z.infer<typeof DeliveryColumns> {
  return (
    isJsonObject(r) &&
    typeof r.id === 'string' &&
    typeof r.webhook_id === 'string' &&
    (r.source === 'journey' || r.source === 'account') &&
    typeof r.job === 'string' &&
    DELIVERY_STATUSES.has(r.status) &&
    Number.isInteger(r.attempts) &&
    Number.isInteger(r.replay_base) &&
    (r.next_attempt_at === null || typeof r.next_attempt_at === 'number') &&
    (r.batch_id === null || typeof r.batch_id === 'string') &&
    (r.last_status === null || Number.isInteger(r.last_status)) &&
    (r.last_error === null || typeof r.last_error === 'string') &&
    typeof r.created_at === 'number' &&
    typeof r.updated_at === 'number'
  )
}

/** Delivery rows as a claim reads them, many at a time: the schema judges (and words the error for) any row the check refuses. */
export function deliveriesFromRows(rows: readonly unknown[]): DeliveryRecord[] {
  return rows.map((row) => (isDeliveryColumns(row) ? toDelivery(row) : DeliveryRow.parse(row)))
}

export const AttemptRow = z
  .object({
    delivery_id: z.string(),
    attempt: z.number().int(),
    webhook_id: z.string(),
    at: z.number(),
    status: z.number().int().nullable(),
    duration_ms: z.number().int(),
    error: z.string().nullable(),
  })
  .transform((r) => ({
    deliveryId: r.delivery_id,
    attempt: r.attempt,
    webhookId: r.webhook_id,
    at: r.at,
    status: r.status,
    durationMs: r.duration_ms,
    error: r.error,
  }))
export type AttemptRecord = z.output<typeof AttemptRow>

export const AlertRow = z
  .object({
    id: z.number().int(),
    webhook_id: z.string(),
    kind: WebhookAlertKind,
    message: z.string(),
    at: z.number(),
    notified_at: z.number().nullable(),
  })
  .transform((r) => ({ id: r.id, webhookId: r.webhook_id, kind: r.kind, message: r.message, at: r.at, notifiedAt: r.notified_at }))
export type AlertRecord = z.output<typeof AlertRow>

export interface NewWebhook {
  id: string
  name: string
  config: StoredConfig
  enabled: boolean
  now: number
}

export interface NewDelivery {
  id: string
  webhookId: string
  source: 'journey' | 'account'
  job: StoredJob
  now: number
}

/** Columns of a webhook a change may set; what is left out keeps its value. */
export interface WebhookPatch {
  name?: string
  config?: StoredConfig
  enabled?: boolean
  updatedAt?: number
  testStatus?: WebhookTestStatus
  lastTestedAt?: number | null
  state?: WebhookState
  pausedUntil?: number | null
  consecutiveFailures?: number
}

/** Saving, resuming or a passing test forgives a pause or a 410. */
export const REARM: WebhookPatch = { state: 'active', pausedUntil: null, consecutiveFailures: 0 }

/** One request to make: a single delivery, or a batch of activity deliveries sharing a `webhook-id`. */
export interface ClaimedUnit {
  webhookId: string
  batchId: string | null
  members: DeliveryRecord[]
}

/** Decides what a claim takes of a due webhook; called inside the claiming transaction, so it must not wait. */
export interface ClaimPlanner {
  /** Due rows to read for this webhook, oldest first; 0 skips it (disabled, paused, or no free slot). */
  limit(webhook: WebhookRecord): number
  /**
   * Groups the rows read into requests. `batches` holds every waiting member of each batch a due
   * row belongs to. A batch another process holds part of (PostgreSQL) is no batch here: its rows
   * come with no batch id, so that no two requests carry one `webhook-id` with different contents.
   */
  plan(webhook: WebhookRecord, due: readonly DeliveryRecord[], batches: ReadonlyMap<string, DeliveryRecord[]>): ClaimedUnit[]
}

/** A delivery's outcome after one attempt. */
export interface SettledMember {
  id: string
  attempt: number
  status: 'delivered' | 'failed' | 'dead'
  nextAttemptAt: number | null
}

/** The breaker's answer to an attempt, decided on the webhook as it is inside the settling transaction. */
export interface BreakerChange {
  patch: WebhookPatch
  alerts: { kind: WebhookAlertKind; message: string }[]
}

export interface Settlement {
  webhookId: string
  batchId: string | null
  at: number
  httpStatus: number | null
  durationMs: number
  error: string | null
  members: readonly SettledMember[]
  breaker: ((webhook: WebhookRecord) => BreakerChange | null) | null
}

/**
 * The webhooks tables behind one async interface, on SQLite or PostgreSQL. Each method is one
 * transaction; where a write depends on what is read, the decision is a callback run inside it
 * (it must not wait), so the read and the write commit together on both backends.
 */
/** What a settlement answers: the webhook after it and the ids of alerts it raised; null (nothing written) when the webhook was removed. */
export type SettleResult = { webhook: WebhookRecord; alertIds: number[] } | null

export interface WebhookStore {
  insertWebhook(w: NewWebhook): Promise<void>
  /**
   * Reads the webhook, asks `decide` for a patch and applies it, in one transaction. Null when
   * there is no such webhook.
   */
  changeWebhook<T>(id: string, decide: (current: WebhookRecord) => { patch: WebhookPatch | null; answer: T }): Promise<{ answer: T } | null>
  /** Rewrites every v1 config (plain header and query values) as v2; answers how many. */
  sealLegacyConfigs(seal: (plain: string) => string): Promise<number>
  getWebhook(id: string): Promise<WebhookRecord | null>
  listWebhooks(): Promise<WebhookRecord[]>
  /** Deletes the webhook with its deliveries and their attempts; false when there was none. */
  deleteWebhook(id: string): Promise<boolean>

  /** Queues one delivery, idempotent by id; `missing` when its webhook does not exist. */
  enqueue(d: NewDelivery): Promise<'inserted' | 'duplicate' | 'missing'>
  /** Queues the deliveries `pick` chooses from the webhooks as they are now; answers their ids (new or not). */
  enqueueFor(pick: (webhooks: readonly WebhookRecord[]) => NewDelivery[]): Promise<string[]>
  /** The same, inside a transaction another store owns (the outbox relay's settlement). */
  enqueuingFor(pick: (webhooks: readonly WebhookRecord[]) => NewDelivery[]): JoinedWrite
  getDelivery(id: string): Promise<DeliveryRecord | null>
  /** The webhook's newest deliveries first. */
  deliveriesOf(webhookId: string, limit: number): Promise<DeliveryRecord[]>
  /** Attempts of each delivery, in attempt order; a delivery with none is absent. */
  attemptsOf(deliveryIds: readonly string[]): Promise<Map<string, AttemptRecord[]>>
  /**
   * Moves what `planner` takes of the due deliveries to `delivering`, in one transaction, before
   * any byte is sent. Rows another process is claiming are skipped, never waited for or taken twice.
   */
  claimDue(now: number, planner: ClaimPlanner): Promise<ClaimedUnit[]>
  /**
   * Records an attempt on every member, moves them on and applies the breaker's change, in one
   * transaction. Null (and nothing written) when the webhook was removed meanwhile.
   */
  settle(s: Settlement): Promise<SettleResult>
  /** Several settlements in one transaction, each as `settle` would write it, in order; the answers in the same order. */
  settleAll(list: readonly Settlement[]): Promise<SettleResult[]>
  /** A dead delivery back to pending with a fresh retry budget; false when it is not dead (or absent). */
  replay(id: string, now: number): Promise<boolean>
  /**
   * Deliveries claimed at or before `claimedBefore` and never finished (their process died) go
   * back to the queue, due now; answers how many.
   */
  recover(now: number, claimedBefore: number): Promise<number>
  /** When the soonest waiting (pending or failed) delivery falls due, whatever its webhook's state; null when none waits. */
  nextDue(): Promise<number | null>

  alertNotified(id: number, at: number): Promise<void>
  /** Newest first; all webhooks' when `webhookId` is null. */
  alerts(webhookId: string | null, limit: number): Promise<AlertRecord[]>
}

export function parseAll<T>(schema: z.ZodType<T>, rows: readonly unknown[]): T[] {
  return rows.map((r) => schema.parse(r))
}

/** A patch as (column, value) pairs, in a fixed order, for either backend's UPDATE. */
export function patchColumns(p: WebhookPatch): [string, string | number | null][] {
  const out: [string, string | number | null][] = []
  if (p.name !== undefined) out.push(['name', p.name])
  if (p.config !== undefined) out.push(['config', JSON.stringify(p.config)])
  if (p.enabled !== undefined) out.push(['enabled', p.enabled ? 1 : 0])
  if (p.updatedAt !== undefined) out.push(['updated_at', p.updatedAt])
  if (p.testStatus !== undefined) out.push(['test_status', p.testStatus])
  if (p.lastTestedAt !== undefined) out.push(['last_tested_at', p.lastTestedAt])
  if (p.state !== undefined) out.push(['state', p.state])
  if (p.pausedUntil !== undefined) out.push(['paused_until', p.pausedUntil])
  if (p.consecutiveFailures !== undefined) out.push(['consecutive_failures', p.consecutiveFailures])
  return out
}

/** The text of a v1 config rewritten as v2, or null when the row is already v2. */
export function sealedConfigText(config: string, seal: (plain: string) => string): string | null {
  const upgraded = upgradeConfig(JSON.parse(config), seal)
  return upgraded === null ? null : JSON.stringify(upgraded)
}

/** Groups attempt rows by delivery. */
export function attemptsByDelivery(rows: readonly unknown[]): Map<string, AttemptRecord[]> {
  const out = new Map<string, AttemptRecord[]>()
  for (const a of parseAll(AttemptRow, rows)) {
    const list = out.get(a.deliveryId)
    if (list === undefined) out.set(a.deliveryId, [a])
    else list.push(a)
  }
  return out
}

/** Due rows' batches: each batch id with its waiting members. */
export function membersByBatch(rows: readonly DeliveryRecord[]): Map<string, DeliveryRecord[]> {
  const out = new Map<string, DeliveryRecord[]>()
  for (const d of rows) {
    if (d.batchId === null) continue
    const list = out.get(d.batchId)
    if (list === undefined) out.set(d.batchId, [d])
    else list.push(d)
  }
  return out
}
