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
export type ReceiptResolver = (providerId: string | null, receipts: readonly ProviderReceipt[], channel?: Channel) => Promise<Result<ReceiptBatch, ChannelErrorCode>>

/** The provider ids a reference may be stored under: as sent, and with or without angle brackets (Message-ID). */
function providerIdForms(providerMessageId: string): string[] {
  const id = providerMessageId.trim()
  const bare = id.replace(/^<|>$/g, '')
  return [id, bare, `<${bare}>`]
}

/**
 * Maps parsed receipts to our messages: the user and channel come from what we sent, never from
 * the receipt. With a providerId, only that provider's messages match. A batch of receipts is
 * looked up in two queries, whatever its size.
 */
export function createReceiptResolver(messages: MessageStore, log: Log): ReceiptResolver {
  const lookup = async (receipts: readonly ProviderReceipt[], providerId: string | null) => {
    const refs = receipts.flatMap((r) => r.refs)
    const [byId, byProviderId] = await Promise.all([
      messages.getMany(refs.flatMap((ref) => ('messageId' in ref ? [ref.messageId] : []))),
      messages.byProviderMessageIds(refs.flatMap((ref) => ('providerMessageId' in ref ? providerIdForms(ref.providerMessageId) : [])), providerId ?? undefined),
    ])
    return (ref: MessageRef): SentMessage | null => {
      if ('messageId' in ref) return byId.get(ref.messageId) ?? null
      for (const form of providerIdForms(ref.providerMessageId)) {
        const found = byProviderId.get(form)
        if (found !== undefined) return found
      }
      return null
    }
  }

  const resolveReceipts: ReceiptResolver = async (providerId, receipts, channel) => {
    const findMessage = await lookup(receipts, providerId)
    const activities: ChannelActivity[] = []
    const ignored: IgnoredReceipt[] = []
    const records: { id: string; status: ReceiptStatus; at: number }[] = []
    let unknown = 0
    for (const r of receipts) {
      const ref = refLabel(r.refs)
      const msg = r.refs.reduce<SentMessage | null>((found, candidate) => found ?? findMessage(candidate), null)
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
    await messages.recordActivity(records)
    if (ignored.length > 0) log('info', 'receipts ignored', { providerId, ignored })
    return ok({ activities, ignored })
  }

  return resolveReceipts
}
