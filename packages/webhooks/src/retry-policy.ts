import type { WebhookRetryPolicy } from '@switchyard/schema'

/** Retry-After is honoured up to a day; beyond that the receiver is asking for something else. */
const MAX_RETRY_AFTER_MS = 86_400_000

/**
 * Exponential backoff with full jitter: a uniformly random wait in [0, min(max, initial * 2^(n-1)))
 * after the n-th failed attempt, so endpoints recovering from an outage are not hit in lockstep.
 */
export function backoffDelay(failedAttempts: number, policy: WebhookRetryPolicy, random: () => number): number {
  const exponent = Math.max(0, failedAttempts - 1)
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(exponent, 40))
  return Math.floor(random() * ceiling)
}

/** `Retry-After` as delay-seconds or an HTTP-date, in ms from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return null
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS)
}
