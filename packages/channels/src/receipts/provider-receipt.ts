import type { ReceiptStatus } from '../activity/activity'

/** How a receipt names its message: by our id (a header or custom arg we set) or the provider's. */
export type MessageRef = { messageId: string } | { providerMessageId: string }

/**
 * One receipt as a provider format parser reads it, before the message store maps it to our
 * message and user. `status` is null for provider events that are no channel activity
 * (processed, deferred, queued...).
 */
export interface ProviderReceipt {
  /** Ways to find the message, tried in order; empty when the receipt names none. */
  refs: MessageRef[]
  status: ReceiptStatus | null
  /** The provider's own name for the event, kept for the reason of an ignored receipt. */
  providerStatus: string
  timestamp: number
  eventId?: string
  detail?: Record<string, unknown>
}

export function refLabel(refs: readonly MessageRef[]): string {
  const ref = refs[0]
  if (ref === undefined) return '(no message reference)'
  return 'messageId' in ref ? ref.messageId : ref.providerMessageId
}
