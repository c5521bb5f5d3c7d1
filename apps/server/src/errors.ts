import type { FailureCode } from '@switchyard/schema'

/**
 * A failure the caller can fix (4xx) or an operational one, with a stable code. Route handlers
 * throw it; the app's one onError answers `{ error: { code, message, details? } }` with the status
 * `FAILURE_STATUS` gives its code.
 */
export class ApiError extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

type NotFoundSubject<C> = C extends `${infer What}.not_found` ? What : never

export const notFound = (what: NotFoundSubject<FailureCode>, id: string) => new ApiError(`${what}.not_found`, `No ${what} has the id “${id}”.`)

export interface ErrorPayload {
  error: { code: FailureCode; message: string; details?: unknown }
}

export function errorPayload(code: FailureCode, message: string, details?: unknown): ErrorPayload {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } }
}
