import type { WebhookAlertView, WebhookAttemptView, WebhookDeliveryView, WebhookView } from '@switchyard/schema'
import { maskValues } from './config-secrets'
import type { AlertRecord, AttemptRecord, DeliveryRecord, WebhookRecord } from './webhook-store'

const iso = (ms: number): string => new Date(ms).toISOString()
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms))

/**
 * What the API answers for a webhook: no password, no signing secret, only that they exist; header
 * and query parameters by name, their values masked.
 */
export function toWebhookView(w: WebhookRecord): WebhookView {
  const { config } = w
  return {
    id: w.id,
    name: w.name,
    url: config.url,
    encoding: config.encoding,
    ...(config.auth === null ? {} : { auth: { type: 'basic' as const, username: config.auth.username, hasPassword: true as const } }),
    headers: maskValues(config.headersSealed),
    query: maskValues(config.querySealed),
    timeoutMs: config.timeoutMs,
    retry: { ...config.retry },
    hasSigningSecret: config.signingSecretSealed !== null,
    events: [...config.events],
    enabled: w.enabled,
    testStatus: w.testStatus,
    lastTestedAt: isoOrNull(w.lastTestedAt),
    state: w.state,
    pausedUntil: w.state === 'paused' ? isoOrNull(w.pausedUntil) : null,
    createdAt: iso(w.createdAt),
    updatedAt: iso(w.updatedAt),
  }
}

export function toAttemptView(a: AttemptRecord): WebhookAttemptView {
  return { attempt: a.attempt, at: iso(a.at), status: a.status, durationMs: a.durationMs, error: a.error }
}

export function deliverySummary(d: DeliveryRecord): string {
  return d.job.kind === 'account' ? d.job.type : `${d.job.context.journey.name} (${d.job.context.nodeId})`
}

export function toDeliveryView(d: DeliveryRecord, attempts: readonly AttemptRecord[]): WebhookDeliveryView {
  return {
    id: d.id,
    webhookId: d.webhookId,
    source: d.source,
    summary: deliverySummary(d),
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' || d.status === 'failed' ? isoOrNull(d.nextAttemptAt) : null,
    batchId: d.batchId,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
    history: attempts.map(toAttemptView),
  }
}

export function toAlertView(a: AlertRecord, webhookName: string): WebhookAlertView {
  return { id: a.id, webhookId: a.webhookId, webhookName, kind: a.kind, message: a.message, at: iso(a.at) }
}
