export const STABLE_BUCKETS = 10_000

/** FNV-1a, 32 bits: pure JavaScript so the same bucketing runs in the engine, the channels and the browser. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  // A final avalanche, so keys that differ in their last characters spread over all buckets.
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35) >>> 0
  h ^= h >>> 16
  return h >>> 0
}

/** A stable bucket in [0, 10000) for a key: the same key always lands in the same bucket (control groups, split branches). */
export function stableBucket(key: string, salt = ''): number {
  return Math.floor((fnv1a(`${salt}\u0000${key}`) / 0x1_0000_0000) * STABLE_BUCKETS)
}

/**
 * Whether a run is held out as control: deterministic, so every decision about the same run
 * agrees. The journey id is the salt, so a user is not control in every journey.
 */
export function inControlGroup(key: string, percent: number | undefined, salt = ''): boolean {
  if (percent === undefined || !(percent > 0)) return false
  if (percent >= 100) return true
  return stableBucket(key, salt) < Math.round(percent * (STABLE_BUCKETS / 100))
}

/** The growth of a retry's wait: the first wait's ceiling and the cap every later one stays under. */
export interface Backoff {
  initialDelayMs: number
  maxDelayMs: number
}

/**
 * The one backoff of the repo (webhook deliveries, message sends, outbox handlers). The ceiling
 * after the n-th failed attempt is min(max, initial * 2^(n-1)); the wait is `random()` of it.
 * Webhooks pass Math.random (full jitter, so endpoints recovering from an outage are not hit in
 * lockstep); the default, 1, waits the whole ceiling.
 */
export function backoffDelay(failedAttempts: number, policy: Backoff, random: () => number = () => 1): number {
  const exponent = Math.max(0, failedAttempts - 1)
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(exponent, 40))
  return Math.floor(random() * ceiling)
}
