import type { Database } from 'better-sqlite3'
import { z } from 'zod'
import { ActivityStatus, Channel, dict, versionedRecord, type MessageStats } from '@switchyard/schema'

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
const StoredContent = versionedRecord({ name: 'message content', version: 1, schema: z.record(z.string(), z.unknown()) })

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

function toMessage(row: unknown): SentMessage {
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

export interface MessageStore {
  get(id: string): SentMessage | null
  /** A provider's id for a message back to ours; scoped to the provider when one is given. */
  byProviderMessageId(providerMessageId: string, providerId?: string): SentMessage | null
  list(filter: { userId?: string; channel?: Channel; limit?: number }): SentMessage[]
  /** When the user was sent messages on the channel since `sinceMs`, newest first. */
  sentTimestamps(userId: string, channel: Channel, sinceMs: number): number[]
  /** Records an attempt as `sending` (a retry of the same id counts one more attempt). */
  begin(attempt: MessageAttempt): void
  markSent(id: string, providerMessageId: string | null): void
  markFailed(id: string, error: string): void
  /** Keeps the furthest status a message reached: a late `delivered` does not undo `clicked`. */
  recordActivity(id: string, status: ActivityStatus, at: number): void
  /** Delivery figures of a journey's messages, per node id. */
  figures(journeyId: string): Record<string, MessageStats>
  /** Deletes up to `limit` messages created before `before` that are no longer being sent; answers how many. */
  prune(before: number, limit: number): number
}

export function createMessageStore(db: Database, now: () => number): MessageStore {
  const selectOne = db.prepare('SELECT * FROM channel_messages WHERE id = ?')
  const selectByProviderId = db.prepare('SELECT * FROM channel_messages WHERE provider_message_id = ? ORDER BY created_at LIMIT 1')
  const selectByProviderIdScoped = db.prepare(
    'SELECT * FROM channel_messages WHERE provider_message_id = ? AND provider_id = ? ORDER BY created_at LIMIT 1',
  )
  const selectSent = db
    .prepare(
      `SELECT sent_at FROM channel_messages WHERE user_id = ? AND channel = ? AND status = 'sent' AND sent_at >= ?
       ORDER BY sent_at DESC`,
    )
    .pluck()
  const upsert = db.prepare(
    `INSERT INTO channel_messages (id, provider_id, provider_kind, channel, user_id, journey_id, run_id, node_id, recipient,
       content, status, attempts, created_at, updated_at)
     VALUES (@id, @providerId, @providerKind, @channel, @userId, @journeyId, @runId, @nodeId, @recipient, @content, 'sending', 1, @at, @at)
     ON CONFLICT(id) DO UPDATE SET provider_id = excluded.provider_id, provider_kind = excluded.provider_kind,
       recipient = excluded.recipient, content = excluded.content, status = 'sending', error = NULL,
       attempts = channel_messages.attempts + 1, updated_at = excluded.updated_at`,
  )
  const sent = db.prepare(
    `UPDATE channel_messages SET status = 'sent', provider_message_id = ?, error = NULL, sent_at = ?, updated_at = ? WHERE id = ?`,
  )
  const failed = db.prepare(`UPDATE channel_messages SET status = 'failed', error = ?, updated_at = ? WHERE id = ?`)
  const rank = (col: string) =>
    `CASE ${col} WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'opened' THEN 3 WHEN 'clicked' THEN 4 WHEN 'bounced' THEN 5 WHEN 'failed' THEN 5 ELSE 0 END`
  const activity = db.prepare(
    `UPDATE channel_messages SET last_activity = @status, last_activity_at = @at, updated_at = @now
     WHERE id = @id AND ${rank('@status')} >= ${rank('last_activity')}`,
  )
  const byNode = db.prepare(
    `SELECT node_id AS nodeId, status, last_activity AS activity, recipient IS NULL AS noAddress, COUNT(*) AS n FROM channel_messages
     WHERE journey_id = ? AND node_id IS NOT NULL GROUP BY node_id, status, last_activity, recipient IS NULL`,
  )

  const prune = db.prepare(
    `DELETE FROM channel_messages WHERE id IN (SELECT id FROM channel_messages WHERE created_at < ? AND status <> 'sending' ORDER BY created_at LIMIT ?)`,
  )
  const one = (row: unknown): SentMessage | null => (row === undefined ? null : toMessage(row))
  const write = (fn: () => void): void => db.transaction(fn).immediate()

  return {
    get: (id) => one(selectOne.get(id)),
    byProviderMessageId: (pid, providerId) =>
      one(providerId === undefined ? selectByProviderId.get(pid) : selectByProviderIdScoped.get(pid, providerId)),
    list({ userId, channel, limit = 100 }) {
      const where: string[] = []
      const params: (string | number)[] = []
      if (userId !== undefined) {
        where.push('user_id = ?')
        params.push(userId)
      }
      if (channel !== undefined) {
        where.push('channel = ?')
        params.push(channel)
      }
      const sql = `SELECT * FROM channel_messages ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT ?`
      params.push(Math.max(1, Math.min(limit, 1000)))
      return db.prepare(sql).all(...params).map(toMessage)
    },
    sentTimestamps: (userId, channel, sinceMs) =>
      selectSent.all(userId, channel, sinceMs).flatMap((v) => (typeof v === 'number' ? [v] : [])),
    begin(a) {
      write(() => {
        upsert.run({ ...a, content: a.content === null ? null : StoredContent.encode(a.content), at: now() })
      })
    },
    markSent(id, providerMessageId) {
      const at = now()
      write(() => {
        sent.run(providerMessageId, at, at, id)
      })
    },
    markFailed(id, error) {
      write(() => {
        failed.run(error.slice(0, 2000), now(), id)
      })
    },
    recordActivity(id, status, at) {
      write(() => {
        activity.run({ status, at, now: now(), id })
      })
    },
    figures(journeyId) {
      const out = dict<MessageStats>()
      for (const row of byNode.all(journeyId)) {
        const r = FigureRow.parse(row)
        const f = (out[r.nodeId] ??= { sent: 0, delivered: 0, opened: 0, clicked: 0, failed: 0, bounced: 0, noAddress: 0 })
        addFigure(f, r.status, r.activity, r.n)
        if (r.status === 'sent' && r.noAddress === 1) f.noAddress += r.n
      }
      return out
    },
    prune: (before, limit) => prune.run(before, limit).changes,
  }
}
