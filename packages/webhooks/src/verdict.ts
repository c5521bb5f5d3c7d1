import type { WebhookRetryPolicy } from '@switchyard/schema'
import { backoffDelay, parseRetryAfter } from './retry-policy'
import type { TransportResult } from './transport'

/**
 * What one attempt means for its delivery. retry: worth another go (network errors, timeouts,
 * 408, 429, 5xx). dead: sending again would not help (other 4xx, a redirect, a refused address,
 * or the retry budget is spent). gone: 410, the endpoint asks never to be called again.
 */
export type Verdict =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status: number | null; error: string; delayMs: number }
  | { kind: 'dead'; status: number | null; error: string; gone: boolean }

export function judge(
  result: TransportResult,
  attemptInRound: number,
  policy: WebhookRetryPolicy,
  now: number,
  random: () => number,
): Verdict {
  const retry = (status: number | null, error: string, retryAfterMs: number | null): Verdict => {
    if (attemptInRound >= policy.maxAttempts) {
      return { kind: 'dead', status, error: `${error}; gave up after ${attemptInRound} attempts`, gone: false }
    }
    const delayMs = retryAfterMs ?? backoffDelay(attemptInRound, policy, random)
    return { kind: 'retry', status, error, delayMs }
  }
  switch (result.kind) {
    case 'refused':
      return { kind: 'dead', status: null, error: result.error, gone: false }
    case 'network':
    case 'timeout':
      return retry(null, result.error, null)
    case 'response': {
      const status = result.status
      if (status >= 200 && status < 300) return { kind: 'delivered', status }
      if (status === 410) return { kind: 'dead', status, error: 'HTTP 410: the endpoint is gone; the webhook is disabled', gone: true }
      if (status === 408 || status === 429 || status >= 500) {
        const retryAfterMs = parseRetryAfter(result.retryAfter, now)
        const note = retryAfterMs === null ? '' : ` (Retry-After ${Math.round(retryAfterMs / 1000)} s)`
        return retry(status, `HTTP ${status}${note}`, retryAfterMs)
      }
      if (status >= 300 && status < 400) {
        const target = result.location === null ? '' : ` to ${result.location.slice(0, 200)}`
        return { kind: 'dead', status, error: `HTTP ${status}: redirect${target} not followed`, gone: false }
      }
      return { kind: 'dead', status, error: `HTTP ${status}`, gone: false }
    }
    default: {
      const never: never = result
      return never
    }
  }
}
