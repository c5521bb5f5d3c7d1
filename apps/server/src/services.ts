import { crashPoint, type Engine } from '@switchyard/engine'
import type { Clock } from '@switchyard/engine'
import { createChannelService } from '@switchyard/channels'
import type { WebhookAlertView } from '@switchyard/schema'
import type { SecretBox } from '@switchyard/secrets'
import { createAddressGuard, createWebhookService, sharedLiquidPool, type WebhookService } from '@switchyard/webhooks'
import type { Backend } from './backend'
import type { OutboxHandlers } from '@switchyard/engine'
import { channelsIntegration } from './integrations/channels'
import { webhooksIntegration } from './integrations/webhooks'
import type { Integrations } from './integrations'
import type { Logger } from './log'
import type { Metrics } from './metrics'

export interface ServiceOptions {
  backend: Backend
  engine: Engine
  secretBox: SecretBox
  clock: Clock
  workspace: string
  allowPrivateTargets: readonly string[]
  /** Recipients of webhook failure alerts; sent through the email provider when there is one. */
  alertEmails?: readonly string[]
  metrics: Metrics
  log: Logger
  /** Test seams: how often the webhook dispatcher polls, ms. */
  webhookPollMs?: number
}

export interface Services {
  integrations: Integrations
  handlers: OutboxHandlers
  webhooks: WebhookService
}

/** The webhooks and channels services on the shared database (SQLite or PostgreSQL), wired to the engine. */
export async function createServices(o: ServiceOptions): Promise<Services> {
  // Liquid renders on worker threads; starting them now spares the first message their start-up.
  sharedLiquidPool().warm()
  const webhooks = await createWebhookService({
    backend: o.backend,
    secretBox: o.secretBox,
    clock: o.clock,
    workspace: o.workspace,
    allowPrivate: o.allowPrivateTargets,
    pollIntervalMs: o.webhookPollMs ?? 100,
    crashPoint,
    log: ({ level, msg, ...fields }) => o.log[level](msg, fields),
    onAttempt: (delivery, attempt) => {
      o.metrics.countDelivery(delivery.status)
      if (delivery.job === null) return
      void o.engine
        .recordOutcome(delivery.job, 'webhook', null, {
          deliveryId: delivery.id,
          webhookId: delivery.webhookId,
          attempt: attempt.attempt,
          status: attempt.status,
          durationMs: attempt.durationMs,
          error: attempt.error,
          deliveryStatus: delivery.status,
          nextAttemptAt: delivery.nextAttemptAt,
        })
        .catch((error: unknown) => o.log.error('could not record a webhook attempt', { deliveryId: delivery.id, error: String(error) }))
    },
    alert: (alert) => sendAlert(alert),
  })
  const channels = await createChannelService({
    backend: o.backend,
    secretBox: o.secretBox,
    clock: o.clock,
    log: (level, message, fields) => o.log[level](message, fields),
    // HTTP and SMTP providers, alert mail included, connect through the same guard as webhooks.
    guard: createAddressGuard({ allowPrivate: o.allowPrivateTargets }),
  })
  /** Netcore's failure alerts: an email to the account's people, when an email provider exists. */
  async function sendAlert(alert: WebhookAlertView): Promise<void> {
    o.log.warn('webhook alert', { webhookId: alert.webhookId, kind: alert.kind, message: alert.message })
    const to = o.alertEmails ?? []
    if (to.length === 0 || !(await channels.providers.list()).some((p) => p.channel === 'email' && p.kind !== 'sandbox')) return
    for (const email of to) {
      const now = o.clock.now()
      const out = await channels.send({
        kind: 'message',
        id: `alert_${alert.id}_${email}`,
        channel: 'email',
        providerId: null,
        message: { subject: `Switchyard: webhook “${alert.webhookName}” needs attention`, body: `${alert.message}\n\nWebhook: ${alert.webhookName} (${alert.webhookId})\nAt: ${alert.at}` },
        context: { workspace: o.workspace, journey: { id: 'alerts', name: 'Alerts', version: 0 }, runId: 'alerts', nodeId: 'alerts', user: { id: email, traits: { email } }, event: null, message: null },
        createdAt: now,
      })
      if (!out.ok) throw new Error(`alert email to ${email} failed: ${out.reason}`)
    }
  }
  const integrations: Integrations = [
    webhooksIntegration(webhooks, o.engine, o.metrics),
    channelsIntegration(channels, o.engine, {
      onMessageEvents: async (events) => {
        await webhooks.emitAccountEvents(events)
      },
      messageEventsWrite: (events) => webhooks.emittingAccountEvents(events),
    }),
  ]
  const handlers: OutboxHandlers = {}
  for (const i of integrations) Object.assign(handlers, i.outbox ?? {})
  return { integrations, handlers, webhooks }
}
