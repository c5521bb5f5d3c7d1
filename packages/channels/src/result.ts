/** Stable codes of the failures callers can act on; the server maps them to 4xx answers. */
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
export type ChannelErrorCode = (typeof CHANNEL_ERROR_CODES)[number]

export interface ChannelError {
  code: ChannelErrorCode
  message: string
  details?: unknown
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ChannelError }

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value }
}

export function fail(code: ChannelErrorCode, message: string, details?: unknown): { ok: false; error: ChannelError } {
  return details === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, details } }
}
