import { fail, ok, own, type ChannelErrorCode, type Result } from '@switchyard/schema'
import type { ReceiptStatus } from '../activity/activity'
import type { ProviderReceipt } from './provider-receipt'

export const TWILIO_SIGNATURE_HEADER = 'X-Twilio-Signature'

/** Twilio MessageStatus -> activity; `read` only arrives for WhatsApp/RCS. Others are no activity. */
const TWILIO_STATUSES: Record<string, ReceiptStatus> = {
  delivered: 'delivered',
  read: 'opened',
  failed: 'failed',
  undelivered: 'failed',
}

/** A Twilio-style status callback (form fields MessageSid, MessageStatus...) -> receipt. */
export function parseTwilioStatus(params: Record<string, string>, now: number): Result<ProviderReceipt, ChannelErrorCode> {
  const sid = params.MessageSid ?? params.SmsSid
  const status = params.MessageStatus ?? params.SmsStatus
  if (sid === undefined || sid === '' || status === undefined || status === '') {
    return fail('receipt.invalid', 'A status callback needs the form fields MessageSid and MessageStatus.')
  }
  const key = status.toLowerCase()
  const detail: Record<string, unknown> = { provider: 'twilio', providerEvent: key }
  if (params.ErrorCode !== undefined && params.ErrorCode !== '') detail.errorCode = params.ErrorCode
  return ok({
    refs: [{ providerMessageId: sid }],
    status: own(TWILIO_STATUSES, key) ?? null,
    providerStatus: key,
    timestamp: now,
    eventId: `twilio:${sid}:${key}`,
    detail,
  })
}
