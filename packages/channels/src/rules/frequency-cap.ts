import { durationMs, formatDuration, type Channel, type Duration } from '@switchyard/schema'

export interface FrequencyCapRule {
  max: number
  per: Duration
  /** When set, the rule only counts for this channel (JourneySettings.frequencyCaps carry one). */
  channel?: Channel
}

export type FrequencyCapDecision = { action: 'send' } | { action: 'skip'; reason: string; rule: FrequencyCapRule }

/**
 * Whether one more message may go to a user who was sent messages at `sentTimestamps` (on this
 * channel, across all journeys). A rule allows `max` messages in any `per` ending now.
 */
export function frequencyCap(sentTimestamps: readonly number[], caps: readonly FrequencyCapRule[], now: number, channel?: Channel): FrequencyCapDecision {
  for (const rule of caps) {
    if (channel !== undefined && rule.channel !== undefined && rule.channel !== channel) continue
    const since = now - durationMs(rule.per)
    const count = sentTimestamps.reduce((n, t) => (t > since && t <= now ? n + 1 : n), 0)
    if (count >= rule.max) {
      const what = rule.channel === undefined ? 'messages' : `${rule.channel} messages`
      return { action: 'skip', reason: `frequency cap: at most ${rule.max} ${what} per ${formatDuration(rule.per)} (${count} sent)`, rule }
    }
  }
  return { action: 'send' }
}

/** How far back the sent timestamps must reach for these rules. */
export function frequencyCapWindowMs(caps: readonly FrequencyCapRule[]): number {
  return caps.reduce((m, r) => Math.max(m, durationMs(r.per)), 0)
}
