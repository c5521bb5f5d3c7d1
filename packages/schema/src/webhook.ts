import { HEADER_NAME, HEADER_VALUE, headerValueProblem } from './http-header'
import { noNul } from './events'
import { z } from 'zod'
import { ActivityStatus, Channel } from './channels'
import type { DeliveryContext, StoredMessageJob, StoredOutboxJob, WebhookJob } from './jobs'
import { WebhookBody } from './kinds'
import { isJsonObject } from './validate-read'

/**
 * Webhook endpoints as the admin API (`/api/webhooks`) takes and answers them. Browser-safe: zod
 * only. Delivery, signing and the address guard live in `@switchyard/webhooks`.
 */

export const WEBHOOK_ENCODINGS = ['json', 'form'] as const
export const WebhookEncoding = z.enum(WEBHOOK_ENCODINGS)
export type WebhookEncoding = z.infer<typeof WebhookEncoding>

/**
 * Headers the delivery sets itself. Letting a user set them would break framing (Host,
 * Content-Length, Transfer-Encoding, Connection) or forge the Standard Webhooks signature.
 */
export const RESERVED_WEBHOOK_HEADERS = [
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
] as const

/** No CR, LF or NUL in a basic auth username (it is sent base64-encoded, so any other character is fine). */
const NO_LINE_BREAK = /^[^\r\n\0]*$/

export const WebhookHeaders = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  const seen = new Set<string>()
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (!HEADER_NAME.test(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a valid header name.` })
    } else if (RESERVED_WEBHOOK_HEADERS.some((h) => h === lower)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `The header ${name} is set by Switchyard and cannot be configured.` })
    } else if (seen.has(lower)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `The header ${name} is given twice.` })
    }
    seen.add(lower)
    if (!HEADER_VALUE.test(value)) {
      ctx.addIssue({ code: 'custom', path: [name], message: headerValueProblem(`The header ${name}`) })
    }
    if (value.length > 8192) {
      ctx.addIssue({ code: 'custom', path: [name], message: `The header ${name} is longer than 8192 characters.` })
    }
  }
  if (seen.size > 50) ctx.addIssue({ code: 'custom', message: 'At most 50 headers.' })
})
export type WebhookHeaders = z.infer<typeof WebhookHeaders>

export const WebhookUrl = z
  .string()
  .trim()
  .pipe(
    z
      .url({ protocol: /^https?$/, error: 'Give a full http or https URL, such as https://example.com/hooks.' })
      .max(2048, 'The URL is longer than 2048 characters.')
      .refine((value) => !/^[a-z]+:\/\/[^/?#]*@/i.test(value), 'Put credentials in basic auth, not in the URL.'),
  )

export const WebhookBasicAuthInput = z.object({
  type: z.literal('basic'),
  username: z
    .string()
    .min(1, 'Give a username.')
    .max(256)
    .refine((u) => !u.includes(':'), 'A basic auth username cannot contain ":".')
    .refine((u) => NO_LINE_BREAK.test(u), 'The username contains a line break.'),
  /**
   * Required when a webhook is created. On update, leaving it out keeps the stored password: the
   * API never returns it, so a client cannot send it back.
   */
  password: z.string().min(1, 'Give a password.').max(1024).optional(),
})
export type WebhookBasicAuthInput = z.infer<typeof WebhookBasicAuthInput>

export const WebhookRetryPolicy = z
  .object({
    /** Attempts in all, the first included. */
    maxAttempts: z.number().int().min(1).max(20).default(5),
    initialDelayMs: z.number().int().min(100).max(3_600_000).default(1000),
    maxDelayMs: z.number().int().min(1000).max(86_400_000).default(300_000),
  })
  .refine((r) => r.initialDelayMs <= r.maxDelayMs, { message: 'initialDelayMs cannot exceed maxDelayMs.', path: ['initialDelayMs'] })
export type WebhookRetryPolicy = z.infer<typeof WebhookRetryPolicy>

export const DEFAULT_WEBHOOK_RETRY = { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 300_000 } as const satisfies WebhookRetryPolicy

/** `whsec_` and the base64 of 24 to 64 random bytes, as Standard Webhooks libraries expect. */
export const WebhookSigningSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'A signing secret is "whsec_" followed by base64.')
  .refine((s) => {
    const b64 = s.slice('whsec_'.length)
    const bytes = Math.floor((b64.replace(/=+$/, '').length * 3) / 4)
    return b64.length % 4 === 0 && bytes >= 24 && bytes <= 64
  }, 'A signing secret must hold 24 to 64 bytes of base64.')

export const JOURNEY_EVENT_TYPES = [
  'journey.created',
  'journey.updated',
  'journey.published',
  'journey.paused',
  'journey.resumed',
  'journey.deleted',
] as const
export const JourneyEventType = z.enum(JOURNEY_EVENT_TYPES)
export type JourneyEventType = z.infer<typeof JourneyEventType>

export const MESSAGE_EVENT_TYPES = ['message.sent', 'message.delivered', 'message.failed'] as const
export const MessageEventType = z.enum(MESSAGE_EVENT_TYPES)
export type MessageEventType = z.infer<typeof MessageEventType>

/** `track:<EventName>` forwards that track event; `track:*` forwards every track event. */
export type TrackEventType = `track:${string}`
export const TrackEventType = z.custom<TrackEventType>(
  (v) => typeof v === 'string' && /^track:.+$/.test(v) && v.length <= 206,
  'A track subscription is "track:" followed by the event name, or "track:*".',
)

export type AccountEventType = JourneyEventType | MessageEventType | TrackEventType
export const AccountEventType = z.union([JourneyEventType, MessageEventType, TrackEventType])

export const WebhookInput = z.object({
  name: z.string().trim().min(1, 'Give the webhook a name.').max(200).refine(noNul, 'A webhook name must not contain a NUL character (\\u0000).'),
  url: WebhookUrl,
  encoding: WebhookEncoding.default('json'),
  auth: WebhookBasicAuthInput.optional(),
  headers: WebhookHeaders.default({}),
  query: z
    .record(z.string().min(1).max(256), z.string().max(2048))
    .refine((q) => Object.keys(q).length <= 50, 'At most 50 query parameters.')
    .default({}),
  timeoutMs: z.number().int().min(100).max(30_000).default(3000),
  retry: WebhookRetryPolicy.default(DEFAULT_WEBHOOK_RETRY),
  /** On update: absent keeps the stored secret, null removes it. */
  signingSecret: WebhookSigningSecret.nullish(),
  /** Account-level subscriptions; empty for an endpoint only journey nodes use. */
  events: z.array(AccountEventType).max(100).default([]),
  enabled: z.boolean().default(true),
})
export type WebhookInput = z.infer<typeof WebhookInput>

export const WEBHOOK_TEST_STATUSES = ['untested', 'passing', 'failing'] as const
export const WebhookTestStatus = z.enum(WEBHOOK_TEST_STATUSES)
export type WebhookTestStatus = z.infer<typeof WebhookTestStatus>

/** `paused`: the circuit breaker holds deliveries for a cool-off. `disabled`: the endpoint answered 410. */
export const WEBHOOK_STATES = ['active', 'paused', 'disabled'] as const
export const WebhookState = z.enum(WEBHOOK_STATES)
export type WebhookState = z.infer<typeof WebhookState>

export const WebhookView = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  encoding: WebhookEncoding,
  auth: z.object({ type: z.literal('basic'), username: z.string(), hasPassword: z.literal(true) }).optional(),
  headers: z.record(z.string(), z.string()),
  query: z.record(z.string(), z.string()),
  timeoutMs: z.number().int(),
  retry: WebhookRetryPolicy,
  hasSigningSecret: z.boolean(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  testStatus: WebhookTestStatus,
  lastTestedAt: z.string().nullable(),
  state: WebhookState,
  /** Until when a paused endpoint is held (ISO), null otherwise. */
  pausedUntil: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type WebhookView = z.infer<typeof WebhookView>

export const WebhookTestResult = z.object({
  ok: z.boolean(),
  status: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: z.string().optional(),
})
export type WebhookTestResult = z.infer<typeof WebhookTestResult>

/** pending: waiting for its first send or a replay; failed: the last attempt failed, a retry is due at nextAttemptAt; dead: given up (replayable). */
export const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed', 'dead'] as const
export const DeliveryStatus = z.enum(DELIVERY_STATUSES)
export type DeliveryStatus = z.infer<typeof DeliveryStatus>

export const WebhookAttemptView = z.object({
  attempt: z.number().int(),
  at: z.string(),
  /** The HTTP status, null when no response came (network error, timeout, refused address). */
  status: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: z.string().nullable(),
})
export type WebhookAttemptView = z.infer<typeof WebhookAttemptView>

export const WebhookDeliveryView = z.object({
  id: z.string(),
  webhookId: z.string(),
  source: z.enum(['journey', 'account']),
  /** The account event type, or the journey and node for a journey delivery. */
  summary: z.string(),
  status: DeliveryStatus,
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  /** Set when the delivery went out in a batch; the batch's `webhook-id`. */
  batchId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  history: z.array(WebhookAttemptView),
})
export type WebhookDeliveryView = z.infer<typeof WebhookDeliveryView>

const JsonRecord = z.record(z.string(), z.unknown())

/** The outbox's DeliveryContext as data: parsed where it crosses a boundary (database, HTTP). */
export const DeliveryContextSchema: z.ZodType<DeliveryContext> = z.object({
  workspace: z.string(),
  journey: z.object({ id: z.string(), name: z.string(), version: z.number() }),
  runId: z.string(),
  nodeId: z.string(),
  user: z.object({ id: z.string(), traits: JsonRecord }),
  event: z.object({ name: z.string(), properties: JsonRecord, timestamp: z.string(), messageId: z.string() }).nullable(),
  message: z.object({ id: z.string(), channel: Channel, status: ActivityStatus.nullable() }).nullable(),
})

export const WebhookJobSchema: z.ZodType<WebhookJob> = z.object({
  kind: z.literal('webhook'),
  id: z.string().min(1),
  webhookId: z.string().min(1),
  params: z.array(z.string()),
  customParams: z.record(z.string(), z.string()),
  body: WebhookBody,
  context: DeliveryContextSchema,
  createdAt: z.number(),
})

/** An action's message job; without `message` from stored outbox job v2 on (see `StoredMessageJob`). */
const StoredMessageJobSchema: z.ZodType<StoredMessageJob> = z.object({
  kind: z.literal('message'),
  id: z.string().min(1),
  channel: Channel,
  providerId: z.string().nullable(),
  message: JsonRecord.optional(),
  context: DeliveryContextSchema,
  createdAt: z.number(),
})

/** An engine outbox row's job, as the engine's store reads it back (see `StoredMessageJob`). */
export const StoredOutboxJobSchema: z.ZodType<StoredOutboxJob> = z.union([WebhookJobSchema, StoredMessageJobSchema])

/**
 * The top level of a job this build wrote (its kind, ids and the delivery context it resolved):
 * the check that stands in for the schemas above on rows at the current version, read once per
 * delivery by every relay batch and every webhook claim. Older rows still go through the schemas.
 */
export function isStoredOutboxJobShape(v: unknown): v is StoredOutboxJob {
  if (!isJsonObject(v) || typeof v.id !== 'string' || typeof v.createdAt !== 'number' || !isJsonObject(v.context)) return false
  const user = v.context.user
  if (!isJsonObject(user) || typeof user.id !== 'string' || !isJsonObject(user.traits) || !isJsonObject(v.context.journey)) return false
  if (v.kind === 'message') return typeof v.channel === 'string' && (v.providerId === null || typeof v.providerId === 'string') && (v.message === undefined || isJsonObject(v.message))
  return v.kind === 'webhook' && typeof v.webhookId === 'string' && Array.isArray(v.params) && isJsonObject(v.customParams) && isJsonObject(v.body)
}

/** The same for a journey webhook's job alone. */
export function isWebhookJobShape(v: unknown): v is WebhookJob {
  return isStoredOutboxJobShape(v) && v.kind === 'webhook'
}

/** `POST /api/webhooks/:id/preview`: renders the body a journey node would send, without sending. */
export const WebhookPreviewInput = z.object({
  params: z.array(z.string()).default([]),
  customParams: z.record(z.string(), z.string()).default({}),
  body: WebhookBody.default({ kind: 'activity' }),
  context: DeliveryContextSchema,
})
export type WebhookPreviewInput = z.infer<typeof WebhookPreviewInput>

export const WebhookPreview = z.object({ contentType: z.string(), url: z.string(), body: z.string() })
export type WebhookPreview = z.infer<typeof WebhookPreview>

export const WEBHOOK_ALERT_KINDS = ['circuit_open', 'endpoint_gone'] as const
export const WebhookAlertKind = z.enum(WEBHOOK_ALERT_KINDS)
export type WebhookAlertKind = z.infer<typeof WebhookAlertKind>

export const WebhookAlertView = z.object({
  id: z.number().int(),
  webhookId: z.string(),
  webhookName: z.string(),
  kind: WebhookAlertKind,
  message: z.string(),
  at: z.string(),
})
export type WebhookAlertView = z.infer<typeof WebhookAlertView>
