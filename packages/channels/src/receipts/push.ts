import { fail, ok, own, type ChannelErrorCode, type Result } from '@switchyard/schema'
import { z } from 'zod'
import { parseTimestamp, type ReceiptStatus } from '../activity/activity'
import type { MessageRef, ProviderReceipt } from './provider-receipt'

export const PUSH_SIGNATURE_HEADER = 'X-Switchyard-Signature'

/**
 * Event names of FCM's delivery-data export and of client-side open reporting -> activity.
 * A push notification has only delivered and clicked: opening it is the click.
 */
const PUSH_STATUSES: Record<string, ReceiptStatus> = {
  message_delivered: 'delivered',
  delivered: 'delivered',
  message_open: 'clicked',
  message_opened: 'clicked',
  notification_open: 'clicked',
  opened: 'clicked',
  clicked: 'clicked',
  click: 'clicked',
  failed: 'failed',
  missing_registrations: 'failed',
  invalid_registration: 'failed',
  unregistered: 'failed',
}

const PushEvent = z.looseObject({
  message_id: z.string().optional(),
  messageId: z.string().optional(),
  switchyard_message_id: z.string().optional(),
  event: z.string().optional(),
  status: z.string().optional(),
  event_time: z.union([z.string(), z.number()]).optional(),
  timestamp: z.union([z.string(), z.number()]).optional(),
})
const PushBody = z.union([z.array(z.unknown()).max(10_000), z.looseObject({ events: z.array(z.unknown()).max(10_000) }), z.looseObject({})])

/**
 * A push gateway's receipt, modelled on FCM's delivery data: `{ message_id, event, event_time }`,
 * an array of those, or `{ events: [...] }`. `message_id` is the gateway's id (FCM's
 * `projects/p/messages/0:...`); `switchyard_message_id` (our id, from the data payload) wins.
 */
export function parsePushReceipts(rawBody: string, now: number): Result<ProviderReceipt[], ChannelErrorCode> {
  let json: unknown
  try {
    json = JSON.parse(rawBody)
  } catch {
    return fail('receipt.invalid', 'A push receipt body is JSON.')
  }
  const body = PushBody.safeParse(json)
  if (!body.success) return fail('receipt.invalid', 'A push receipt is an event object, an array of them, or { events: [...] }.')
  const items = Array.isArray(body.data) ? body.data : 'events' in body.data && Array.isArray(body.data.events) ? body.data.events : [body.data]
  const receipts: ProviderReceipt[] = []
  for (const item of items) {
    const e = PushEvent.safeParse(item)
    const ev = e.success ? e.data : {}
    const name = (ev.event ?? ev.status ?? '').trim().toLowerCase()
    if (name === '') return fail('receipt.invalid', 'Each push receipt needs an "event" (e.g. MESSAGE_DELIVERED, notification_open).')
    const providerId = ev.message_id ?? ev.messageId
    const refs: MessageRef[] = []
    if (ev.switchyard_message_id !== undefined) refs.push({ messageId: ev.switchyard_message_id })
    if (providerId !== undefined) refs.push({ providerMessageId: providerId })
    receipts.push({
      refs,
      status: own(PUSH_STATUSES, name) ?? null,
      providerStatus: name,
      timestamp: parseTimestamp(ev.event_time ?? ev.timestamp) ?? now,
      detail: { provider: 'push', providerEvent: name },
    })
  }
  return ok(receipts)
}
