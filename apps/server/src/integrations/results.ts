import type { Result } from '@switchyard/schema'
import { ApiError } from '../errors'

/** A service's value, or its expected failure thrown for the one onError to answer. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value
  throw new ApiError(r.code, r.message, r.details)
}
