import { noNul } from '@switchyard/schema'
import type { Pool, PoolClient } from 'pg'
import { otherBackend } from '@switchyard/storage'
import { z } from 'zod'
import { StoredContent, figuresFrom, firstByProviderId, furthestActivity, lastById, rankSql, toMessage, type MessageAttempt, type MessageResult, type MessageStore } from './message-store'

/** `channel_messages` on PostgreSQL; each method is one statement (a batch's rows through `unnest`), so one transaction. */
export function createPostgresMessageStore(pool: Pool, now: () => number): MessageStore {
  const rows = async (sql: string, params: unknown[]) => (await pool.query(sql, params)).rows
  // A text parameter with a NUL is refused by PostgreSQL itself; no stored id has one (ours never
  // do, a provider's with one could not have been written), so a lookup by it finds nothing.
  // Receipts and activity name ids from outside: such an id is an unknown message, not a 500.
  const storable = (ids: readonly string[]) => ids.filter(noNul)
  /** A batch's results, sent (with the provider's id) or failed (with why), in one statement. */
  const finishRows = async (q: Pool | PoolClient, results: readonly MessageResult[]): Promise<void> => {
    const list = lastById(results)
    if (list.length === 0) return
    await q.query(
      `UPDATE channel_messages AS m SET
         status = CASE WHEN u.error IS NULL THEN 'sent' ELSE 'failed' END,
         provider_message_id = CASE WHEN u.error IS NULL THEN u.pid ELSE m.provider_message_id END,
         sent_at = CASE WHEN u.error IS NULL THEN $4 ELSE m.sent_at END,
         error = u.error, content = coalesce(u.content, m.content), updated_at = $4
       FROM unnest($1::text[], $2::text[], $3::text[], $5::text[]) AS u(id, pid, error, content)
       WHERE m.id = u.id`,
      [
        list.map((r) => r.id),
        list.map((r) => ('error' in r ? null : r.providerMessageId)),
        list.map((r) => ('error' in r ? r.error.slice(0, 2000) : null)),
        now(),
        list.map((r) => (r.content ? StoredContent.encode(r.content) : null)),
      ],
    )
  }

  return {
    async get(id) {
      if (!noNul(id)) return null
      const [row] = await rows('SELECT * FROM channel_messages WHERE id = $1', [id])
      return row === undefined ? null : toMessage(row)
    },
    async getMany(all) {
      const ids = storable(all)
      if (ids.length === 0) return new Map()
      const found = (await rows('SELECT * FROM channel_messages WHERE id = ANY($1::text[])', [ids])).map(toMessage)
      return new Map(found.map((m) => [m.id, m]))
    },
    async byProviderMessageIds(all, providerId) {
      const pids = storable(all)
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
    async begin(attempts) {
      const list = lastById(attempts)
      if (list.length === 0) return
      const col = <K extends keyof (typeof list)[number]>(k: K) => list.map((a) => a[k])
      await pool.query(
        `INSERT INTO channel_messages (id, provider_id, provider_kind, channel, user_id, journey_id, run_id, node_id, recipient,
           status, attempts, created_at, updated_at)
         SELECT u.*, 'sending', 1, $10, $10
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS u
         ON CONFLICT (id) DO UPDATE SET provider_id = excluded.provider_id, provider_kind = excluded.provider_kind,
           recipient = excluded.recipient, status = 'sending', error = NULL,
           attempts = channel_messages.attempts + 1, updated_at = excluded.updated_at`,
        [
          col('id'),
          col('providerId'),
          col('providerKind'),
          col('channel'),
          col('userId'),
          col('journeyId'),
          col('runId'),
          col('nodeId'),
          col('recipient'),
          now(),
        ],
      )
    },
    finish: (results) => finishRows(pool, results),
    finishing: (results) => ({
      sqlite: () => otherBackend('sqlite'),
      postgres: (client) => finishRows(client, results),
    }),
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
