import type { WebhookState } from '@switchyard/schema'

export interface BreakerOptions {
  /** Consecutive failed attempts that open the breaker. */
  threshold: number
  /** How long an open breaker holds deliveries before one probe is let through. */
  coolOffMs: number
}

export const DEFAULT_BREAKER: BreakerOptions = { threshold: 10, coolOffMs: 5 * 60_000 }

export interface BreakerState {
  state: WebhookState
  consecutiveFailures: number
  pausedUntil: number | null
}

/**
 * The endpoint's state after one attempt. A success closes the breaker. A failure of the probe
 * sent after a cool-off opens it again at once; otherwise it opens at the threshold. `opened` is
 * true only on the transition from active, so one outage raises one alert.
 */
export function afterAttempt(
  current: BreakerState,
  outcome: 'success' | 'failure' | 'gone',
  now: number,
  options: BreakerOptions,
): BreakerState & { opened: boolean } {
  if (outcome === 'gone') return { state: 'disabled', consecutiveFailures: current.consecutiveFailures + 1, pausedUntil: null, opened: false }
  if (current.state === 'disabled') return { ...current, opened: false }
  if (outcome === 'success') return { state: 'active', consecutiveFailures: 0, pausedUntil: null, opened: false }
  const consecutiveFailures = current.consecutiveFailures + 1
  if (current.state === 'paused') return { state: 'paused', consecutiveFailures, pausedUntil: now + options.coolOffMs, opened: false }
  if (consecutiveFailures >= options.threshold) {
    return { state: 'paused', consecutiveFailures, pausedUntil: now + options.coolOffMs, opened: true }
  }
  return { state: 'active', consecutiveFailures, pausedUntil: null, opened: false }
}
