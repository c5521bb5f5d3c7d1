import { fail, isStatusOf, ok, type Channel, type ChannelErrorCode, type Result } from '@switchyard/schema'
import { activityEventId, type ChannelActivity, type ReceiptStatus } from '../activity/activity'
import type { Log } from '../clock'
import type { MessageStore, SentMessage } from '../store/message-store'
import { refLabel, type MessageRef, type ProviderReceipt } from './provider-receipt'

export interface IgnoredReceipt {
  ref: string
  reason: string
}

/** Receipts of one provider callback: the activity to ingest, and what was left out and why. */
export interface ReceiptBatch {
  activities: ChannelActivity[]
  ignored: IgnoredReceipt[]
}

/**
 * `providerId`: only that provider's messages match. `channel`: the only channel the format can
 * report on (a DSN is about email); a receipt naming a message on another channel refuses the
 * whole request with `activity.channel_mismatch`, and nothing is recorded.
 */
export type ReceiptResolver = (providerId: string | null, receipts: readonly ProviderReceipt[], channel?: Channel) => Result<ReceiptBatch, ChannelErrorCode>

/**
 * Maps parsed receipts to our messages: the user and channel come from what we sent, never from
 * the receipt. With a providerId, only that provider's messages match.
 */
export function createReceiptResolver(messages: MessageStore, log: Log): ReceiptResolver {
  const findMessage = (ref: MessageRef, providerId: string | null): SentMessage | null => {
    if ('messageId' in ref) return messages.get(ref.messageId)
    const scope = providerId ?? undefined
    const id = ref.providerMessageId.trim()
    const bare = id.replace(/^<|>$/g, '')
    return messages.byProviderMessageId(id, scope) ?? messages.byProviderMessageId(bare, scope) ?? messages.byProviderMessageId(`<${bare}>`, scope)
  }

  const resolveReceipts: ReceiptResolver = (providerId, receipts, channel) => {
    const activities: ChannelActivity[] = []
    const ignored: IgnoredReceipt[] = []
    const records: { id: string; status: ReceiptStatus; at: number }[] = []
    let unknown = 0
    for (const r of receipts) {
      const ref = refLabel(r.refs)
      const msg = r.refs.reduce<SentMessage | null>((found, candidate) => found ?? findMessage(candidate, providerId), null)
      if (msg === null) {
        unknown += 1
        ignored.push({ ref, reason: r.refs.length === 0 ? 'the receipt names no message' : 'no message with this id was sent' })
        continue
      }
      if (providerId !== null && msg.providerId !== providerId) {
        ignored.push({ ref, reason: 'the message was sent through another provider' })
        continue
      }
      if (channel !== undefined && msg.channel !== channel) {
        return fail('activity.channel_mismatch', `Message ${msg.id} was sent on ${msg.channel}: this receipt can only report ${channel} messages.`, { messageId: msg.id })
      }
      if (r.status === null) {
        ignored.push({ ref, reason: `"${r.providerStatus}" is not channel activity` })
        continue
      }
      records.push({ id: msg.id, status: r.status, at: r.timestamp })
      if (!isStatusOf(msg.channel, r.status)) {
        ignored.push({ ref, reason: `${r.status} is not reported for ${msg.channel}` })
        continue
      }
      activities.push({
        userId: msg.userId,
        channel: msg.channel,
        status: r.status,
        messageId: msg.id,
        timestamp: r.timestamp,
        eventId: r.eventId ?? activityEventId(msg.id, r.status),
        providerMessageId: msg.providerMessageId,
        ...(r.detail === undefined ? {} : { detail: r.detail }),
      })
    }
    if (activities.length === 0 && unknown > 0 && unknown === receipts.length) {
      return fail('receipt.unknown_message', `No message Switchyard sent matches ${ignored.map((i) => i.ref).join(', ')}.`, { ignored })
    }
    for (const rec of records) messages.recordActivity(rec.id, rec.status, rec.at)
    if (ignored.length > 0) log('info', 'receipts ignored', { providerId, ignored })
    return ok({ activities, ignored })
  }

  return resolveReceipts
}
