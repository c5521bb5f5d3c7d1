import { fail, ok, own, type ChannelErrorCode, type Result } from '@switchyard/schema'
import { z } from 'zod'
import { parseTimestamp, type ReceiptStatus } from '../activity/activity'
import type { MessageRef, ProviderReceipt } from './provider-receipt'

export const SENDGRID_SIGNATURE_HEADER = 'X-Twilio-Email-Event-Webhook-Signature'
export const SENDGRID_TIMESTAMP_HEADER = 'X-Twilio-Email-Event-Webhook-Timestamp'

/** SendGrid event names -> activity. `dropped` (never sent: suppressed, invalid) counts as a bounce. */
const SENDGRID_STATUSES: Record<string, ReceiptStatus> = {
  delivered: 'delivered',
  open: 'opened',
  click: 'clicked',
  bounce: 'bounced',
  dropped: 'bounced',
}

const SendgridEvent = z.looseObject({
  event: z.string(),
  timestamp: z.union([z.number(), z.string()]).optional(),
  sg_event_id: z.string().optional(),
  sg_message_id: z.string().optional(),
  'smtp-id': z.string().optional(),
  switchyard_message_id: z.string().optional(),
  email: z.string().optional(),
  url: z.string().optional(),
  reason: z.string().optional(),
  status: z.string().optional(),
  type: z.string().optional(),
})
const SendgridBatch = z.array(z.unknown()).max(10_000)

/**
 * A SendGrid event-webhook POST (a JSON array) -> receipts. Our id comes from the
 * `switchyard_message_id` unique/custom arg (the SMTP provider sets it in X-SMTPAPI; an HTTP
 * body template passes it in `custom_args`), else from `smtp-id` (the Message-ID we sent with),
 * else from `sg_message_id` (whose prefix is the X-Message-Id the mail send API answered).
 */
export function parseSendgridEvents(rawBody: string, now: number): Result<ProviderReceipt[], ChannelErrorCode> {
  let json: unknown
  try {
    json = JSON.parse(rawBody)
  } catch {
    return fail('receipt.invalid', 'A SendGrid event webhook body is a JSON array of events.')
  }
  const batch = SendgridBatch.safeParse(json)
  if (!batch.success) return fail('receipt.invalid', 'A SendGrid event webhook body is a JSON array of events.')
  const receipts: ProviderReceipt[] = []
  for (const item of batch.data) {
    const e = SendgridEvent.safeParse(item)
    if (!e.success) {
      receipts.push({ refs: [], status: null, providerStatus: '(not an event object)', timestamp: now })
      continue
    }
    const ev = e.data
    const refs: MessageRef[] = []
    if (ev.switchyard_message_id !== undefined) refs.push({ messageId: ev.switchyard_message_id })
    if (ev['smtp-id'] !== undefined) refs.push({ providerMessageId: ev['smtp-id'] })
    // sg_message_id is the X-Message-Id the mail send API answered, plus a ".filter..." suffix.
    const sgId = ev.sg_message_id?.split('.')[0]
    if (sgId !== undefined && sgId !== '') refs.push({ providerMessageId: sgId })
    const status = own(SENDGRID_STATUSES, ev.event) ?? null
    const detail: Record<string, unknown> = { provider: 'sendgrid', providerEvent: ev.event }
    if (ev.url !== undefined) detail.url = ev.url
    if (ev.reason !== undefined) detail.reason = ev.reason
    if (ev.type !== undefined) detail.bounceType = ev.type
    receipts.push({
      refs,
      status,
      providerStatus: ev.event,
      timestamp: parseTimestamp(ev.timestamp) ?? now,
      ...(ev.sg_event_id === undefined ? {} : { eventId: `sendgrid:${ev.sg_event_id}` }),
      detail,
    })
  }
  return ok(receipts)
}
