import { z } from 'zod'
import { ACTIVITY_STATUSES, activityEventName, CHANNEL_STATUSES, Channel, fail, isStatusOf, NO_NUL, noNul, ok, own, storableTime, type ActivityStatus, type ChannelErrorCode, type Result } from '@switchyard/schema'

/** The statuses a receipt may report: every status but `sent`, which the engine records itself. */
export const RECEIPT_STATUSES = ['delivered', 'opened', 'clicked', 'bounced', 'failed'] as const satisfies readonly ActivityStatus[]
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number]

export function isReceiptStatus(s: string): s is ReceiptStatus {
  return RECEIPT_STATUSES.some((r) => r === s)
}

/**
 * Channel activity normalised from any receipt: becomes the track event `<channel>.<status>` of
 * `userId` with `properties.messageId` = our message id.
 */
export interface ChannelActivity {
  userId: string
  channel: Channel
  status: ReceiptStatus
  /** OUR message id: the id the engine gave the message, never the provider's. */
  messageId: string
  /** When it happened, ms since the epoch. */
  timestamp: number
  /**
   * Idempotency key of the track event: the provider's event id when it has one, else
   * `<messageId>:<status>`, so a receipt delivered twice is ingested once.
   */
  eventId: string
  providerMessageId?: string | null
  /** Provider specifics worth keeping in the timeline (bounce reason, clicked URL...). */
  detail?: Record<string, unknown>
}

/** The Segment-style track call the server ingests for an activity. */
export interface ActivityTrackCall {
  type: 'track'
  userId: string
  event: string
  messageId: string
  timestamp: string
  properties: Record<string, unknown>
}

/**
 * The journal id of a receipt without a provider event id: a report of the same status for the
 * same message is the same event, whichever path (provider callback, /v1/activity, sandbox)
 * brings it, and is stored once.
 */
export function activityEventId(messageId: string, status: string): string {
  return `${messageId}:${status}`
}

export function activityToTrack(a: ChannelActivity): ActivityTrackCall {
  return {
    type: 'track',
    userId: a.userId,
    event: activityEventName(a.channel, a.status),
    messageId: a.eventId,
    timestamp: new Date(a.timestamp).toISOString(),
    properties: {
      ...(a.detail ?? {}),
      messageId: a.messageId,
      channel: a.channel,
      status: a.status,
      ...(a.providerMessageId === undefined || a.providerMessageId === null ? {} : { providerMessageId: a.providerMessageId }),
    },
  }
}

/** Names the seeds' systems use for the same channel or status. */
const CHANNEL_ALIASES: Record<string, Channel> = { apn: 'app_push', bpn: 'web_push', push: 'app_push', webpush: 'web_push' }
const STATUS_ALIASES: Record<string, ActivityStatus> = {
  deliver: 'delivered',
  open: 'opened',
  read: 'opened',
  click: 'clicked',
  bounce: 'bounced',
  fail: 'failed',
}

export function channelFromName(name: string): Channel | null {
  const key = name.trim().toLowerCase()
  const parsed = Channel.safeParse(key)
  if (parsed.success) return parsed.data
  return own(CHANNEL_ALIASES, key) ?? null
}

export function statusFromName(name: string): ActivityStatus | null {
  const key = name.trim().toLowerCase()
  const known = ACTIVITY_STATUSES.find((s) => s === key)
  if (known !== undefined) return known
  return own(STATUS_ALIASES, key) ?? null
}

/** ISO string, numeric string, or number (seconds below 1e11, else milliseconds). */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return storableTime(value < 1e11 ? value * 1000 : value)
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return parseTimestamp(Number(value))
    const t = Date.parse(value)
    return Number.isNaN(t) ? null : t
  }
  return null
}

const ActivityBody = z.object({
  userId: z.union([z.string().trim().min(1).max(512).refine(noNul, NO_NUL), z.number().finite()]).transform((v) => String(v)),
  channel: z.string().min(1).max(50),
  status: z.string().min(1).max(50),
  messageId: z.string().trim().min(1).max(512).refine(noNul, NO_NUL),
  timestamp: z.union([z.string(), z.number()]).optional(),
})

/**
 * The generic `POST /v1/activity` body -> activity, or an `activity.invalid` error that says what
 * to change. `now` stamps activity that carries no timestamp.
 */
export function normaliseActivity(body: unknown, now: number = Date.now()): Result<ChannelActivity, ChannelErrorCode> {
  const parsed = ActivityBody.safeParse(body)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
    return fail('activity.invalid', `Activity needs userId, channel, status and messageId: ${issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; ')}`, { issues })
  }
  const b = parsed.data
  const channel = channelFromName(b.channel)
  if (channel === null) {
    return fail('activity.unknown_channel', `Unknown channel "${b.channel}"; use one of ${Object.keys(CHANNEL_STATUSES).join(', ')} (apn and bpn name app_push and web_push).`, { field: 'channel' })
  }
  const status = statusFromName(b.status)
  const valid = CHANNEL_STATUSES[channel].join(', ')
  if (status === 'sent') {
    return fail('activity.invalid', `"sent" is recorded by Switchyard when the provider accepts the message; report one of ${valid}.`, { field: 'status' })
  }
  if (status === null || !isStatusOf(channel, status) || !isReceiptStatus(status)) {
    return fail('activity.unknown_status', `Status "${b.status}" is not reported for ${channel}; use one of ${valid}.`, { field: 'status', allowed: CHANNEL_STATUSES[channel] })
  }
  let timestamp = now
  if (b.timestamp !== undefined) {
    const t = parseTimestamp(b.timestamp)
    if (t === null) return fail('activity.invalid', `Timestamp "${String(b.timestamp)}" is not an ISO date-time or epoch number.`, { field: 'timestamp' })
    timestamp = t
  }
  return ok({ userId: b.userId, channel, status, messageId: b.messageId, timestamp, eventId: activityEventId(b.messageId, status) })
}
