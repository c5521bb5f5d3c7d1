import { createHash } from 'node:crypto'

const BUCKETS = 10_000

/** A stable bucket in [0, 10000) for a key: the same key always lands in the same bucket. */
export function controlGroupBucket(key: string, salt = ''): number {
  const digest = createHash('sha256').update(`${salt}\u0000${key}`).digest()
  return Math.floor((digest.readUInt32BE(0) / 0x1_0000_0000) * BUCKETS)
}

/**
 * Whether a run (or user) is held out as control: deterministic, so a retried decision agrees
 * with the first. Pass the journey id as `salt` so a user is not control in every journey.
 */
export function inControlGroup(key: string, percent: number | undefined, salt = ''): boolean {
  if (percent === undefined || !(percent > 0)) return false
  if (percent >= 100) return true
  return controlGroupBucket(key, salt) < Math.round(percent * (BUCKETS / 100))
}
