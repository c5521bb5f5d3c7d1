import type { Engine } from '@switchyard/engine'
import { quietHours } from '@switchyard/channels'
import type { JourneySettings, MessageJob, WebhookJob } from '@switchyard/schema'
import type { HandlerResult, JobOutcome } from '../dispatch'

/**
 * The delivery rules a journey applies to whatever leaves a run for the user: an action node's
 * message and, since in the seeds' webhook campaigns the webhook is the message, a webhook
 * node's delivery. (Frequency caps count per channel and stay with messages; the control group
 * is decided by the engine when the run starts.)
 */
type DeliveredJob = MessageJob | WebhookJob

/** How outcome rows name a job: a message by its id and channel, a webhook by its delivery. */
function outcomeOf(job: DeliveredJob, detail: Record<string, unknown>): JobOutcome {
  return job.kind === 'message'
    ? { kind: 'message', messageId: job.id, detail: { channel: job.channel, ...detail } }
    : { kind: 'webhook', messageId: null, detail: { webhookId: job.webhookId, deliveryId: job.id, ...detail } }
}

/** Records that a rule stopped the job: an outcome row (no outlet) with the rule and why. */
export async function recordSkip(engine: Engine, job: DeliveredJob, rule: string, reason: string): Promise<void> {
  const o = outcomeOf(job, { status: 'skipped', rule, reason })
  await engine.recordOutcome(job, o.kind, o.messageId, o.detail)
}

/**
 * Quiet hours in the user's timezone. Null: the job may leave now. Otherwise the handler's
 * answer: a hold keeps the outbox row until the window ends and records when and why in the
 * same transaction; a skip records why and completes the job.
 */
export async function quietHoursGate(engine: Engine, job: DeliveredJob, settings: JourneySettings | null): Promise<{ result: HandlerResult } | null> {
  if (!settings?.quietHours) return null
  const tz = job.context.user.traits.timezone ?? job.context.user.traits.tz
  const d = quietHours(engine.clock.now(), typeof tz === 'string' ? tz : null, settings.quietHours)
  switch (d.action) {
    case 'send':
      return null
    case 'hold':
      return { result: { retryAt: d.until, outcome: outcomeOf(job, { status: 'held', until: new Date(d.until).toISOString(), rule: 'quietHours', reason: d.reason }) } }
    case 'skip':
      await recordSkip(engine, job, 'quietHours', d.reason)
      return { result: undefined }
  }
}
