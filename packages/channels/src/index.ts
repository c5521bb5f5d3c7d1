export { createChannelService } from './channel-service'
export { openChannelStores } from './store/open-stores'
export { createSender, PROVIDER_CONCURRENCY, SANDBOX_PROVIDER_ID } from './send'
export type { SendOutcome } from './send'
export type { ChannelService, ChannelServiceDeps, TrackedActivity } from './channel-service'
export type { PushReceiptRequest, SendgridReceiptRequest, TwilioReceiptRequest } from './receipts/requests'
export { systemClock, silentLog } from './clock'
export type { Clock, Log, LogLevel } from './clock'

export {
  activityEventId,
  activityToTrack,
  channelFromName,
  isReceiptStatus,
  normaliseActivity,
  parseTimestamp,
  RECEIPT_STATUSES,
  statusFromName,
} from './activity/activity'
export type { ActivityTrackCall, ChannelActivity, ReceiptStatus } from './activity/activity'

export type { ChannelProvider, SendResult } from './providers/channel-provider'
export { createSmtpProvider, MESSAGE_ID_HEADER, smtpMessageId } from './providers/smtp-provider'
export { createHttpProvider, fetchTransport, readJsonPath } from './providers/http-provider'
export type { FetchLike, HttpProviderDeps } from './providers/http-provider'
export { createSandboxProvider } from './providers/sandbox-provider'

export { createTemplateRenderer, DEFAULT_RENDER_LIMITS } from './render/liquid'
export type { RenderLimits, RenderOutcome, TemplateRenderer } from './render/liquid'
export { checkRendered, renderMessage, templateScope } from './render/render-message'
export type { RenderedMessage, RenderResult } from './render/render-message'
export { recipientOf, RECIPIENT_TRAITS } from './render/recipient'

export { parseSendgridEvents, SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from './receipts/sendgrid'
export { parseTwilioStatus, TWILIO_SIGNATURE_HEADER } from './receipts/twilio'
export { parsePushReceipts, PUSH_SIGNATURE_HEADER } from './receipts/push'
export { parseDsn } from './receipts/dsn'
export {
  pushSignature,
  twilioSignature,
  verifyPushSignature,
  verifySendgridSignature,
  verifyTwilioSignature,
} from './receipts/signatures'
export type { MessageRef, ProviderReceipt } from './receipts/provider-receipt'
export type { IgnoredReceipt, ReceiptBatch } from './receipts/resolve-receipts'

export { quietHours, resolveTimezone, isValidTimezone } from './rules/quiet-hours'
export type { QuietHoursDecision, QuietHoursSettings } from './rules/quiet-hours'
export { frequencyCap, frequencyCapWindowMs } from './rules/frequency-cap'
export { deliveryGate, sendRetryAt, MAX_SEND_ATTEMPTS, SEND_BACKOFF } from './rules/delivery-gate'
export type { DeliveredJob, GateDecision } from './rules/delivery-gate'
export type { FrequencyCapDecision, FrequencyCapRule } from './rules/frequency-cap'

export { CHANNEL_MIGRATIONS, migrateChannels, MIGRATION_COMPONENT } from './store/migrations'
export type { SentMessage, MessageStatus, MessageStore } from './store/message-store'
/** A message row's stored content, for tools that write message rows with SQL (the bench). */
export { StoredContent } from './store/message-store'
export type { ProviderStore } from './store/provider-store'
