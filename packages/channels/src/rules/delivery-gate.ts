import { backoffDelay, type Backoff, type JourneySettings, type MessageJob, type WebhookJob } from '@switchyard/schema'
import { frequencyCap, frequencyCapWindowMs } from './frequency-cap'
import { quietHours } from './quiet-hours'

/** What leaves a run for the user: an action node's message or, as in webhook campaigns, a webhook node's delivery. */
export type DeliveredJob = MessageJob | WebhookJob

/** The rule that stopped or held a job, and why (the outcome row's `rule` and `reason`). */
export type GateDecision =
  | { action: 'send' }
  | { action: 'hold'; until: number; rule: 'quietHours'; reason: string }
  | { action: 'skip'; rule: 'quietHours' | 'frequencyCap'; reason: string }

/**
 * The journey's delivery rules for one job, in order: quiet hours in the user's timezone (both
 * kinds), then frequency caps (messages only: caps count per channel, over the user's messages
 * on the job's channel). The
 * control group is not here: the engine decides it when the run starts and queues nothing.
 * `sentTimestamps(since)` is read only when a cap applies.
 */
export function deliveryGate(job: DeliveredJob, settings: JourneySettings | null, now: number, sentTimestamps: (sinceMs: number) => readonly number[]): GateDecision {
  if (settings?.quietHours) {
    const tz = job.context.user.traits.timezone ?? job.context.user.traits.tz
    const d = quietHours(now, typeof tz === 'string' ? tz : null, settings.quietHours)
    if (d.action === 'hold') return { action: 'hold', until: d.until, rule: 'quietHours', reason: d.reason }
    if (d.action === 'skip') return { action: 'skip', rule: 'quietHours', reason: d.reason }
  }
  if (job.kind === 'message' && settings?.frequencyCaps && settings.frequencyCaps.length > 0) {
    const d = frequencyCap(sentTimestamps(now - frequencyCapWindowMs(settings.frequencyCaps)), settings.frequencyCaps, now, job.channel)
    if (d.action === 'skip') return { action: 'skip', rule: 'frequencyCap', reason: d.reason }
  }
  return { action: 'send' }
}

/** A message send gives up after this many attempts. */
export const MAX_SEND_ATTEMPTS = 5
/** The waits between attempts of a send, and of an outbox job whose handler threw. */
export const SEND_BACKOFF: Backoff = { initialDelayMs: 2_000, maxDelayMs: 60_000 }

/** When to try a retryable failed send again after `attempts` attempts; null: give up. */
export function sendRetryAt(attempts: number, now: number): number | null {
  return attempts < MAX_SEND_ATTEMPTS ? now + backoffDelay(attempts, SEND_BACKOFF) : null
}
