import type { Database } from 'better-sqlite3'
import { otherBackend, sameConnection, writeTransaction } from '@switchyard/storage'
import { z } from 'zod'
import { StoredContent, figuresFrom, firstByProviderId, furthestActivity, rankSql, toMessage, type MessageResult, type MessageStore } from './message-store'

/** `channel_messages` on the server's SQLite file; every write, a batch's included, is one IMMEDIATE transaction. */
export function createSqliteMessageStore(db: Database, now: () => number): MessageStore {
  const selectOne = db.prepare('SELECT * FROM channel_messages WHERE id = ?')
  const selectMany = db.prepare('SELECT * FROM channel_messages WHERE id IN (SELECT value FROM json_each(?))')
  const selectByProviderIds = db.prepare(
    'SELECT * FROM channel_messages WHERE provider_message_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, id',
  )
  const selectByProviderIdsScoped = db.prepare(
    'SELECT * FROM channel_messages WHERE provider_message_id IN (SELECT value FROM json_each(?)) AND provider_id = ? ORDER BY created_at, id',
  )
  const selectSent = db
    .prepare(
      `SELECT sent_at FROM channel_messages WHERE user_id = ? AND channel = ? AND status = 'sent' AND sent_at >= ?
       ORDER BY sent_at DESC`,
    )
    .pluck()
  // The content waits for the result: SQLite rewrites a whole row (a 20 KB email body with it) on every update.
  const upsert = db.prepare(
    `INSERT INTO channel_messages (id, provider_id, provider_kind, channel, user_id, journey_id, run_id, node_id, recipient,
       status, attempts, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sending', 1, ?, ?)
     ON CONFLICT(id) DO UPDATE SET provider_id = excluded.provider_id, provider_kind = excluded.provider_kind,
       recipient = excluded.recipient, status = 'sending', error = NULL,
       attempts = channel_messages.attempts + 1, updated_at = excluded.updated_at`,
  )
  const sent = db.prepare(
    `UPDATE channel_messages SET status = 'sent', provider_message_id = ?, content = coalesce(?, content), error = NULL, sent_at = ?, updated_at = ? WHERE id = ?`,
  )
  const failed = db.prepare(`UPDATE channel_messages SET status = 'failed', error = ?, content = coalesce(?, content), updated_at = ? WHERE id = ?`)
  const activity = db.prepare(
    `UPDATE channel_messages SET last_activity = @status, last_activity_at = @at, updated_at = @now
     WHERE id = @id AND ${rankSql('@status')} >= ${rankSql('last_activity')}`,
  )
  const byNode = db.prepare(
    `SELECT node_id AS "nodeId", status, last_activity AS activity, recipient IS NULL AS "noAddress", COUNT(*) AS n FROM channel_messages
     WHERE journey_id = ? AND node_id IS NOT NULL GROUP BY node_id, status, last_activity, recipient IS NULL`,
  )
  const prune = db.prepare(
    `DELETE FROM channel_messages WHERE id IN (SELECT id FROM channel_messages WHERE created_at < ? AND status <> 'sending' ORDER BY created_at LIMIT ?)`,
  )
  // Waits for another thread's commit without blocking this thread's event loop (see ThreadWriteLock).
  const write = <T>(fn: () => T): Promise<T> => writeTransaction(db, fn)
  /** A batch's results with their content encoded: what a transaction then only has to run. */
  const encodeResults = (results: readonly MessageResult[]) => results.map((r) => ({ r, content: r.content ? StoredContent.encode(r.content) : null }))
  const finishRows = (results: ReturnType<typeof encodeResults>) => {
    const at = now()
    for (const { r, content } of results) {
      if ('error' in r) failed.run(r.error.slice(0, 2000), content, at, r.id)
      else sent.run(r.providerMessageId, content, at, at, r.id)
    }
  }

  return {
    get: async (id) => {
      const row = selectOne.get(id)
      return row === undefined ? null : toMessage(row)
    },
    getMany: async (ids) => new Map(ids.length === 0 ? [] : selectMany.all(JSON.stringify(ids)).map(toMessage).map((m) => [m.id, m])),
    byProviderMessageIds: async (pids, providerId) =>
      firstByProviderId(
        pids.length === 0 ? [] : providerId === undefined ? selectByProviderIds.all(JSON.stringify(pids)) : selectByProviderIdsScoped.all(JSON.stringify(pids), providerId),
      ),
    async list({ userId, channel, limit = 100 }) {
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
    sentTimestamps: async (userId, channel, sinceMs) => z.array(z.number()).parse(selectSent.all(userId, channel, sinceMs)),
    async begin(attempts) {
      if (attempts.length === 0) return
      const at = now()
      // Encoded before the write lock is taken: the engine thread waits for the statements only.
      // Positional: a named-parameter object per row (`{ ...a, content, at }`) cost a copy a message.
      const rows = attempts.map((a) => [a.id, a.providerId, a.providerKind, a.channel, a.userId, a.journeyId, a.runId, a.nodeId, a.recipient, at, at])
      await write(() => {
        for (const row of rows) upsert.run(...row)
      })
    },
    async finish(results) {
      const encoded = encodeResults(results)
      if (encoded.length > 0) await write(() => finishRows(encoded))
    },
    finishing: (results) => {
      // Encoded now, before the settlement's transaction takes the write lock.
      const encoded = encodeResults(results)
      return {
        sqlite(owner) {
          sameConnection(db, owner)
          finishRows(encoded)
        },
        postgres: () => otherBackend('postgres'),
      }
    },
    async recordActivity(records) {
      const at = now()
      await write(() => {
        for (const r of furthestActivity(records)) activity.run({ status: r.status, at: r.at, now: at, id: r.id })
      })
    },
    figures: async (journeyId) => figuresFrom(byNode.all(journeyId)),
    prune: async (before, limit) => prune.run(before, limit).changes,
  }
}
