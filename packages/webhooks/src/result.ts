/** Codes of the failures a caller can fix; the server maps them to HTTP statuses in one place. */
export const WEBHOOK_ERROR_CODES = [
  'webhook.invalid',
  'webhook.not_found',
  'webhook.template_error',
  'delivery.not_found',
  'delivery.not_dead',
] as const
export type WebhookErrorCode = (typeof WEBHOOK_ERROR_CODES)[number]

export interface WebhookError {
  ok: false
  code: WebhookErrorCode
  message: string
  details?: unknown
}

export type Result<T> = { ok: true; value: T } | WebhookError

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value }
}

export function fail(code: WebhookErrorCode, message: string, details?: unknown): WebhookError {
  return details === undefined ? { ok: false, code, message } : { ok: false, code, message, details }
}
