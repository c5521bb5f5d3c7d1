/** Retry-After is honoured up to a day; beyond that the receiver is asking for something else. */
const MAX_RETRY_AFTER_MS = 86_400_000

// The backoff is the repo's one (`@switchyard/schema` rules), with full jitter from the caller's random.
export { backoffDelay } from '@switchyard/schema'

/** `Retry-After` as delay-seconds or an HTTP-date, in ms from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return null
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS)
}
