import { ApiError } from '../errors'

type Failure = { ok: false; code: string; message: string; details?: unknown } | { ok: false; error: { code: string; message: string; details?: unknown } }

/** A service's expected failure, as the HTTP status its code calls for. */
export function failureToApiError(f: Failure): ApiError {
  const e = 'error' in f ? f.error : f
  const status = e.code.endsWith('not_found') ? 404 : e.code.endsWith('.signature') ? 401 : e.code === 'delivery.not_dead' ? 409 : 400
  return new ApiError(status, e.code, e.message, e.details)
}

export function unwrap<T>(r: { ok: true; value: T } | Failure): T {
  if (r.ok) return r.value
  throw failureToApiError(r)
}
