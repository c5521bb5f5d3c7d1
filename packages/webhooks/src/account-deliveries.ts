import { createHash, randomUUID } from 'node:crypto'
import { type AccountEventArgs, accountEventBody, subscribes } from './account-events'
import type { NewDelivery, WebhookRecord } from './webhook-store'

/** Whether the webhook gets account events of this type now: enabled, not disabled by a 410, and subscribed. */
function receives(webhook: WebhookRecord, type: string): boolean {
  return webhook.enabled && webhook.state !== 'disabled' && subscribes(webhook.config.events, type)
}

/** Whether any of the webhooks receives any of the events. */
export function anyReceives(webhooks: readonly WebhookRecord[], events: readonly AccountEventArgs[]): boolean {
  const types = [...new Set(events.map(([type]) => type))]
  return webhooks.some((webhook) => types.some((type) => receives(webhook, type)))
}

/**
 * The deliveries of account events: `pick` chooses them from the webhooks as they are when the
 * write runs and fills `perEvent` with each event's delivery ids.
 */
export interface AccountDeliveryPlan {
  pick: (webhooks: readonly WebhookRecord[]) => NewDelivery[]
  perEvent: string[][]
}

/**
 * One delivery per event and receiving webhook. Track and message events are idempotent by their
 * message id (the delivery id hashes it with the webhook's); each event's body is built once,
 * for the first webhook that receives it.
 */
export function accountDeliveryPlan(events: readonly AccountEventArgs[], workspace: string, now: number): AccountDeliveryPlan {
  const bodies = new Map<number, { eventId: string; body: Record<string, unknown> }>()
  const prepared = (i: number) => {
    let p = bodies.get(i)
    if (p === undefined) {
      const args = events[i] as AccountEventArgs
      const [type] = args
      const eventId = type.startsWith('track:') || type.startsWith('message.') ? `${type}:${messageIdOf(args)}` : randomUUID()
      p = { eventId, body: accountEventBody(args, workspace, now) }
      bodies.set(i, p)
    }
    return p
  }
  const perEvent: string[][] = events.map(() => [])
  const pick = (webhooks: readonly WebhookRecord[]) => {
    const out: NewDelivery[] = []
    events.forEach(([type], i) => {
      const ids: string[] = []
      for (const webhook of webhooks) {
        if (!receives(webhook, type)) continue
        const { eventId, body } = prepared(i)
        const id = `evt_${createHash('sha256').update(`${eventId}\n${webhook.id}`).digest('base64url').slice(0, 32)}`
        out.push({ id, webhookId: webhook.id, source: 'account', job: { kind: 'account', type, eventId, body }, now })
        ids.push(id)
      }
      // Set, not added to: a write run again (its transaction retried) answers the same ids.
      perEvent[i] = ids
    })
    return out
  }
  return { pick, perEvent }
}

function messageIdOf(args: AccountEventArgs): string {
  const payload = args[1]
  return 'messageId' in payload ? payload.messageId : randomUUID()
}
