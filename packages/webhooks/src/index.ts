export { createWebhookService, type WebhookService, type WebhookServiceOptions, type EnqueueResult } from './webhook-service'
export type { AttemptEvent, WebhookCrashPoint } from './dispatcher'
export { batchIdOf } from './dispatcher'
export type { WebhookLogEntry, WebhookLogger } from './log'
export {
  type AccountEventArgs,
  type JourneyEventPayload,
  type MessageEventPayload,
  type TrackEventPayload,
  accountEventBody,
  subscribes,
} from './account-events'
export { type ActivityItem, type BodySource, NETCORE_CHANNELS, NETCORE_EVENTS, activityBody, activityItem } from './activity-item'
export { type ProfilesBody, profilesBody } from './profiles-body'
export { DEFAULT_TEMPLATE_LIMITS, type TemplateLimits, type TemplateRenderer, createTemplateRenderer } from './template-body'
export { checkLiquid } from './liquid-check'
export { type LiquidLimits, type LiquidOutcome, type LiquidPool, createLiquidPool, sharedLiquidPool } from './liquid-pool'
export { encodePayload } from './payload'
export { resolveParams } from './params'
export { createSigningSecret, signPayload } from './sign'
export { type AddressGuard, type GuardResult, type Resolver, createAddressGuard, parseAllowList, systemResolver } from './address-guard'
export { blockReason } from './blocked-ranges'
export { type Transport, type TransportResult, type OutboundRequest, createTransport } from './transport'
export { type GuardedSocket, connectGuarded } from './guarded-socket'
export { MASKED_VALUE } from './config-secrets'
export { backoffDelay, parseRetryAfter } from './retry-policy'
export { type BreakerOptions, DEFAULT_BREAKER } from './breaker'
export { migrate, WEBHOOK_MIGRATIONS } from './migrations'
export { STALE_CLAIM_MS, openWebhookStore } from './webhook-service'
export type { WebhookStore } from './webhook-store'
