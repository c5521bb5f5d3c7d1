/**
 * One error model for every package: an expected failure is a value with a stable code, never an
 * exception. Clients key on the codes, so each is a known literal, listed here by the layer that
 * returns it; the server maps each to its HTTP status in one table.
 */

export const ENGINE_ERROR_CODES = ['journey.not_published', 'journey.has_active_users'] as const

export const WEBHOOK_ERROR_CODES = [
  'webhook.invalid',
  'webhook.not_found',
  'webhook.template_error',
  'delivery.not_found',
  'delivery.not_dead',
] as const

export const CHANNEL_ERROR_CODES = [
  'provider.invalid',
  'provider.not_found',
  'activity.invalid',
  'activity.unknown_channel',
  'activity.unknown_status',
  'activity.user_mismatch',
  'activity.channel_mismatch',
  'receipt.invalid',
  'receipt.signature',
  'receipt.unknown_message',
  'message.not_found',
] as const

/** What the HTTP layer itself refuses: requests, bodies, credentials, queries and its own lookups. */
export const SERVER_ERROR_CODES = [
  'internal',
  'route.not_found',
  'request.bad_path',
  'request.aborted',
  'body.empty',
  'body.invalid',
  'body.invalid_json',
  'body.invalid_encoding',
  'body.unsupported_encoding',
  'body.too_deep',
  'payload.too_large',
  'batch.invalid',
  'event.invalid',
  'event.invalid_timestamp',
  'event.missing_user',
  'profile.too_large',
  'query.invalid',
  'query.invalid_cursor',
  'auth.missing_token',
  'auth.invalid_token',
  'auth.missing_write_key',
  'auth.invalid_write_key',
  'journey.invalid',
  'journey.not_found',
  'version.not_found',
  'run.not_found',
  'user.not_found',
  'backup.unavailable',
  'simulation.invalid',
  'migration.invalid_map',
  'backtest.invalid_window',
] as const

export const FAILURE_CODES = [...ENGINE_ERROR_CODES, ...WEBHOOK_ERROR_CODES, ...CHANNEL_ERROR_CODES, ...SERVER_ERROR_CODES] as const
export type FailureCode = (typeof FAILURE_CODES)[number]
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number]
export type WebhookErrorCode = (typeof WEBHOOK_ERROR_CODES)[number]
export type ChannelErrorCode = (typeof CHANNEL_ERROR_CODES)[number]

export interface Failure<C extends FailureCode = FailureCode> {
  ok: false
  code: C
  message: string
  details?: unknown
}

export type Result<T, C extends FailureCode = FailureCode> = { ok: true; value: T } | Failure<C>

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value }
}

export function fail<C extends FailureCode>(code: C, message: string, details?: unknown): Failure<C> {
  return details === undefined ? { ok: false, code, message } : { ok: false, code, message, details }
}
