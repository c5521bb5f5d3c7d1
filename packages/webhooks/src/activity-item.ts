import type { ActivityStatus, Channel, WebhookJob } from '@switchyard/schema'
import { netcoreTimestamp, netcoreTs } from './netcore-time'
import { resolveParams } from './params'

/** The parts of a job a body is made from; a preview builds one without an outbox row. */
export type BodySource = Pick<WebhookJob, 'id' | 'params' | 'customParams' | 'context' | 'createdAt'>

/** One item of Netcore's activity webhook (seed 003), which existing receivers already parse. */
export interface ActivityItem {
  channel: string
  event: string
  msgid: string
  webhook_name: string
  journey_name: string
  custom_params: Record<string, string>
  att_params: Record<string, unknown>
  event_params: Record<string, unknown> & { timestamp: string; ts: number; foreignkey: string }
}

/** Netcore's channel names: APN and BPN for app and web push. */
export const NETCORE_CHANNELS = {
  email: 'email',
  sms: 'sms',
  app_push: 'apn',
  web_push: 'bpn',
  whatsapp: 'whatsapp',
  rcs: 'rcs',
} as const satisfies Record<Channel, string>

/** Netcore's activity verbs, as its samples spell them (`open`, `click`, `bounce`). */
export const NETCORE_EVENTS = {
  sent: 'sent',
  delivered: 'delivered',
  opened: 'open',
  clicked: 'click',
  bounced: 'bounce',
  failed: 'failed',
} as const satisfies Record<ActivityStatus, string>

export function activityItem(source: BodySource, webhookName: string): ActivityItem {
  const { context } = source
  const eventMs = context.event === null ? Number.NaN : Date.parse(context.event.timestamp)
  const at = Number.isNaN(eventMs) ? source.createdAt : eventMs
  const channel = context.message === null ? 'custom_activity' : NETCORE_CHANNELS[context.message.channel]
  const event =
    context.message !== null
      ? NETCORE_EVENTS[context.message.status ?? 'sent']
      : (context.event?.name ?? 'journey')
  return {
    channel,
    event,
    msgid: context.message?.id ?? context.event?.messageId ?? source.id,
    webhook_name: webhookName,
    journey_name: context.journey.name,
    custom_params: { ...source.customParams },
    att_params: resolveParams(source.params, context),
    event_params: {
      ...(context.event?.properties ?? {}),
      timestamp: netcoreTimestamp(at),
      ts: netcoreTs(at),
      foreignkey: context.user.id,
    },
  }
}

/** `{ "<workspace>": [ item, ... ] }`: one request may carry many items (a batch). */
export function activityBody(workspace: string, items: readonly ActivityItem[]): Record<string, ActivityItem[]> {
  return { [workspace]: [...items] }
}
