import type { ActivityStatus, Channel } from './channels'
import type { WebhookBody } from './kinds'

/**
 * What a side effect knows about the run that caused it. The engine resolves it when it commits
 * the outbox row, so a delivery retried a day later still sends what was true at the time.
 */
export interface DeliveryContext {
  workspace: string
  journey: { id: string; name: string; version: number }
  runId: string
  nodeId: string
  user: { id: string; traits: Record<string, unknown> }
  /** The event that moved the run to this node (the trigger, or the event a wait matched). */
  event: { name: string; properties: Record<string, unknown>; timestamp: string; messageId: string } | null
  /** The message of the nearest preceding action, and the activity status a wait matched on it. */
  message: { id: string; channel: Channel; status: ActivityStatus | null } | null
}

/** A journey webhook node's delivery. `id` is the delivery id, the same across retries. */
export interface WebhookJob {
  kind: 'webhook'
  id: string
  webhookId: string
  params: string[]
  customParams: Record<string, string>
  body: WebhookBody
  context: DeliveryContext
  createdAt: number
}

/** An action node's message. `id` is the message id that activity events carry back. */
export interface MessageJob {
  kind: 'message'
  id: string
  channel: Channel
  providerId: string | null
  /** The channel's fields as drawn on the canvas: Liquid templates, rendered at send time. */
  message: Record<string, unknown>
  context: DeliveryContext
  createdAt: number
}

export type OutboxJob = WebhookJob | MessageJob

/**
 * A message job as the engine's outbox stores it: without `message` when the fields are those of
 * its journey version's node (`context.journey`, `context.nodeId`), which never change once
 * published. The outbox puts them back when it hands the job out, so an email body is not
 * written, read and parsed again for every user it goes to.
 */
export type StoredMessageJob = Omit<MessageJob, 'message'> & { message?: MessageJob['message'] }
export type StoredOutboxJob = WebhookJob | StoredMessageJob
