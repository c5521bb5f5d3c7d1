import { z } from 'zod'
import { ActivityStatus, Channel, dict, versionedRecord, type MessageStats } from '@switchyard/schema'
import type { JoinedWrite } from '@switchyard/storage'

export const MESSAGE_STATUSES = ['sending', 'sent', 'failed'] as const
export const MessageStatus = z.enum(MESSAGE_STATUSES)
export type MessageStatus = z.infer<typeof MessageStatus>

/** What is known of a message before its send is attempted. */
export interface MessageAttempt {
  id: string
  providerId: string
  providerKind: string
  channel: Channel
  userId: string
  journeyId: string | null
  runId: string | null
  nodeId: string | null
  recipient: string | null
  content: Record<string, unknown> | null
}

/**
 * How one attempt ended, with the content it was rendered to: a message row's content is written
 * once, with its outcome, not with its `sending` row and again with the update that follows.
 * Without `content` (or with null) the row keeps what it held.
 */
export type MessageResult = ({ id: string; providerMessageId: string | null } | { id: string; error: string }) & { content?: Record<string, unknown> | null }

/** The last attempt of each id: a batch names a message once, whatever its caller sent. */
export function lastById<T extends { id: string }>(items: readonly T[]): T[] {
  return [...new Map(items.map((i) => [i.id, i])).values()]
}

/** One message Switchyard sent (or tried to), as recorded in `channel_messages`. */
export interface SentMessage extends MessageAttempt {
  status: MessageStatus
  providerMessageId: string | null
  error: string | null
  attempts: number
  lastActivity: ActivityStatus | null
  lastActivityAt: number | null
  createdAt: number
  updatedAt: number
  sentAt: number | null
}

/** The rendered message as sent; rows from before versioning hold the bare object (v1). */
export const StoredContent = versionedRecord({ name: 'message content', version: 1, schema: z.record(z.string(), z.unknown()) })

const MessageRow = z.object({
  id: z.string(),
  provider_id: z.string(),
  provider_kind: z.string(),
  channel: Channel,
  user_id: z.string(),
  journey_id: z.string().nullable(),
  run_id: z.string().nullable(),
  node_id: z.string().nullable(),
  recipient: z.string().nullable(),
  content: z.string().nullable(),
  status: MessageStatus,
  provider_message_id: z.string().nullable(),
  error: z.string().nullable(),
  attempts: z.number(),
  last_activity: ActivityStatus.nullable(),
  last_activity_at: z.number().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
  sent_at: z.number().nullable(),
})

export function toMessage(row: unknown): SentMessage {
  const r = MessageRow.parse(row)
  return {
    id: r.id,
    providerId: r.provider_id,
    providerKind: r.provider_kind,
    channel: r.channel,
    userId: r.user_id,
    journeyId: r.journey_id,
    runId: r.run_id,
    nodeId: r.node_id,
    recipient: r.recipient,
    content: r.content === null ? null : StoredContent.decode(r.content),
    status: r.status,
    providerMessageId: r.provider_message_id,
    error: r.error,
    attempts: r.attempts,
    lastActivity: r.last_activity,
    lastActivityAt: r.last_activity_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentAt: r.sent_at,
  }
}

const FigureRow = z.object({ nodeId: z.string(), status: MessageStatus, activity: ActivityStatus.nullable(), noAddress: z.number().int(), n: z.number().int() })

/** Counts `n` messages in a node's figures at the furthest status they reached. */
function addFigure(f: MessageStats, status: MessageStatus, activity: ActivityStatus | null, n: number): void {
  if (status === 'sending') return
  if (status === 'failed' || activity === 'failed') {
    f.failed += n
    return
  }
  f.sent += n
  if (activity === 'bounced') f.bounced += n
  if (activity === 'delivered' || activity === 'opened' || activity === 'clicked') f.delivered += n
  if (activity === 'opened' || activity === 'clicked') f.opened += n
  if (activity === 'clicked') f.clicked += n
}

/** Figures per node id from rows grouped by node, status, furthest activity and whether there was an address. */
export function figuresFrom(rows: readonly unknown[]): Record<string, MessageStats> {
  const out = dict<MessageStats>()
  for (const row of rows) {
    const r = FigureRow.parse(row)
    const f = (out[r.nodeId] ??= { sent: 0, delivered: 0, opened: 0, clicked: 0, failed: 0, bounced: 0, noAddress: 0 })
    addFigure(f, r.status, r.activity, r.n)
    if (r.status === 'sent' && r.noAddress === 1) f.noAddress += r.n
  }
  return out
}

/** How far along a message an activity is: a later report of a lower rank does not replace a higher one. */
const RANK: Record<ActivityStatus, number> = { sent: 1, delivered: 2, opened: 3, clicked: 4, bounced: 5, failed: 5 }

/** The same ranks in SQL, for the update's guard (`NULL` ranks 0). */
export const rankSql = (col: string): string =>
  `CASE ${col} ${Object.entries(RANK).map(([s, n]) => `WHEN '${s}' THEN ${n}`).join(' ')} ELSE 0 END`

export interface ActivityRecord {
  id: string
  status: ActivityStatus
  at: number
}

/**
 * One record per message: the last of those with the highest rank, which is where applying them
 * one by one under the rank guard would end.
 */
export function furthestActivity(records: readonly ActivityRecord[]): ActivityRecord[] {
  const out = new Map<string, ActivityRecord>()
  for (const r of records) {
    const kept = out.get(r.id)
    if (kept === undefined || RANK[r.status] >= RANK[kept.status]) out.set(r.id, r)
  }
  return [...out.values()]
}

/** The first message created for each provider id, from rows of any order. */
export function firstByProviderId(rows: readonly unknown[]): Map<string, SentMessage> {
  const out = new Map<string, SentMessage>()
  for (const m of rows.map(toMessage).sort((a, b) => a.createdAt - b.createdAt)) {
    if (m.providerMessageId !== null && !out.has(m.providerMessageId)) out.set(m.providerMessageId, m)
  }
  return out
}

export interface MessageFilter {
  userId?: string
  channel?: Channel
  limit?: number
}

/** `channel_messages` behind one async interface, on SQLite or PostgreSQL. Each write is one transaction. */
export interface MessageStore {
  get(id: string): Promise<SentMessage | null>
  /** Our messages by id; ids we have no record of are absent. */
  getMany(ids: readonly string[]): Promise<Map<string, SentMessage>>
  /**
   * Provider ids back to our messages (the first one created, if a provider reused an id);
   * scoped to the provider when one is given. Ids matching nothing are absent.
   */
  byProviderMessageIds(providerMessageIds: readonly string[], providerId?: string): Promise<Map<string, SentMessage>>
  /** Newest first; `limit` between 1 and 1000, default 100. */
  list(filter: MessageFilter): Promise<SentMessage[]>
  /** When the user was sent messages on the channel since `sinceMs`, newest first. */
  sentTimestamps(userId: string, channel: Channel, sinceMs: number): Promise<number[]>
  /**
   * Records a batch's attempts as `sending`, in one transaction (a retry of the same id counts one
   * more attempt). Their content is not written here but with their results (`MessageResult`).
   */
  begin(attempts: readonly Omit<MessageAttempt, 'content'>[]): Promise<void>
  /** Records how a batch's attempts ended, in one transaction: sent (with the provider's id) or failed (with why). */
  finish(results: readonly MessageResult[]): Promise<void>
  /** The same rows as `finish`, written inside a transaction another store owns (the relay's settlement). */
  finishing(results: readonly MessageResult[]): JoinedWrite
  /** Keeps the furthest status each message reached: a late `delivered` does not undo `clicked`. */
  recordActivity(records: readonly ActivityRecord[]): Promise<void>
  /** Delivery figures of a journey's messages, per node id. */
  figures(journeyId: string): Promise<Record<string, MessageStats>>
  /** Deletes up to `limit` messages created before `before` that are no longer being sent; answers how many. */
  prune(before: number, limit: number): Promise<number>
}
