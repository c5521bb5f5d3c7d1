import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * A failure the caller can fix (4xx) or an operational one, with a stable code. Route handlers
 * throw it; the app's one onError turns it into `{ error: { code, message, details? } }`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

export const notFound = (what: string, id: string) => new ApiError(404, `${what}.not_found`, `No ${what} has the id “${id}”.`)

export interface ErrorPayload {
  error: { code: string; message: string; details?: unknown }
}

export function errorPayload(code: string, message: string, details?: unknown): ErrorPayload {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } }
}
