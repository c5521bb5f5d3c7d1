import type { Pool } from 'pg'
import { z } from 'zod'
import { StoredContent, figuresFrom, firstByProviderId, furthestActivity, rankSql, toMessage, type MessageStore } from './message-store'

/** `channel_messages` on PostgreSQL; each method is one statement, so one transaction. */
export function createPostgresMessageStore(pool: Pool, now: () => number): MessageStore {
  const rows = async (sql: string, params: unknown[]) => (await pool.query(sql, params)).rows

  return {
    async get(id) {
      const [row] = await rows('SELECT * FROM channel_messages WHERE id = $1', [id])
      return row === undefined ? null : toMessage(row)
    },
    async getMany(ids) {
      if (ids.length === 0) return new Map()
      const found = (await rows('SELECT * FROM channel_messages WHERE id = ANY($1::text[])', [ids])).map(toMessage)
      return new Map(found.map((m) => [m.id, m]))
    },
    async byProviderMessageIds(pids, providerId) {
      if (pids.length === 0) return new Map()
      return firstByProviderId(
        providerId === undefined
          ? await rows('SELECT * FROM channel_messages WHERE provider_message_id = ANY($1::text[]) ORDER BY created_at, id', [pids])
          : await rows('SELECT * FROM channel_messages WHERE provider_message_id = ANY($1::text[]) AND provider_id = $2 ORDER BY created_at, id', [pids, providerId]),
      )
    },
    async list({ userId, channel, limit = 100 }) {
      const where: string[] = []
      const params: (string | number)[] = []
      if (userId !== undefined) {
        params.push(userId)
        where.push(`user_id = $${params.length}`)
      }
      if (channel !== undefined) {
        params.push(channel)
        where.push(`channel = $${params.length}`)
      }
      params.push(Math.max(1, Math.min(limit, 1000)))
      const sql = `SELECT * FROM channel_messages ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT $${params.length}`
      return (await rows(sql, params)).map(toMessage)
    },
    async sentTimestamps(userId, channel, sinceMs) {
      const found = await rows(
        `SELECT sent_at FROM channel_messages WHERE user_id = $1 AND channel = $2 AND status = 'sent' AND sent_at >= $3 ORDER BY sent_at DESC`,
        [userId, channel, sinceMs],
      )
      return z.array(z.object({ sent_at: z.number() })).parse(found).map((r) => r.sent_at)
    },
    async begin(a) {
      await pool.query(
        `INSERT INTO channel_messages (id, provider_id, provider_kind, channel, user_id, journey_id, run_id, node_id, recipient,
           content, status, attempts, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'sending', 1, $11, $11)
         ON CONFLICT (id) DO UPDATE SET provider_id = excluded.provider_id, provider_kind = excluded.provider_kind,
           recipient = excluded.recipient, content = excluded.content, status = 'sending', error = NULL,
           attempts = channel_messages.attempts + 1, updated_at = excluded.updated_at`,
        [a.id, a.providerId, a.providerKind, a.channel, a.userId, a.journeyId, a.runId, a.nodeId, a.recipient, a.content === null ? null : StoredContent.encode(a.content), now()],
      )
    },
    async markSent(id, providerMessageId) {
      const at = now()
      await pool.query(`UPDATE channel_messages SET status = 'sent', provider_message_id = $1, error = NULL, sent_at = $2, updated_at = $2 WHERE id = $3`, [providerMessageId, at, id])
    },
    async markFailed(id, error) {
      await pool.query(`UPDATE channel_messages SET status = 'failed', error = $1, updated_at = $2 WHERE id = $3`, [error.slice(0, 2000), now(), id])
    },
    async recordActivity(records) {
      const latest = furthestActivity(records)
      if (latest.length === 0) return
      await pool.query(
        `UPDATE channel_messages AS m SET last_activity = u.status, last_activity_at = u.at, updated_at = $4
         FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(id, status, at)
         WHERE m.id = u.id AND ${rankSql('u.status')} >= ${rankSql('m.last_activity')}`,
        [latest.map((r) => r.id), latest.map((r) => r.status), latest.map((r) => r.at), now()],
      )
    },
    async figures(journeyId) {
      return figuresFrom(
        await rows(
          `SELECT node_id AS "nodeId", status, last_activity AS activity, (recipient IS NULL)::int AS "noAddress", COUNT(*)::int AS n
           FROM channel_messages WHERE journey_id = $1 AND node_id IS NOT NULL GROUP BY node_id, status, last_activity, (recipient IS NULL)`,
          [journeyId],
        ),
      )
    },
    async prune(before, limit) {
      const result = await pool.query(
        `DELETE FROM channel_messages WHERE id IN (SELECT id FROM channel_messages WHERE created_at < $1 AND status <> 'sending' ORDER BY created_at LIMIT $2)`,
        [before, limit],
      )
      return result.rowCount ?? 0
    },
  }
}
