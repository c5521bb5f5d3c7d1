import { inTransaction, otherBackend } from '@switchyard/storage'
import type { Pool, PoolClient } from 'pg'
import { z } from 'zod'
import {
  AlertRow,
  StoredJobRecord,
  WebhookRow,
  attemptsByDelivery,
  deliveriesFromRows,
  membersByBatch,
  parseAll,
  patchColumns,
  sealedConfigText,
  type ClaimedUnit,
  type DeliveryRecord,
  type NewDelivery,
  type SettleResult,
  type Settlement,
  type WebhookPatch,
  type WebhookRecord,
  type WebhookStore,
} from './webhook-store'

type Queryable = Pool | PoolClient

const WAITING = `status IN ('pending', 'failed')`

/**
 * The batches a claim holds whole. Another process may have locked part of a batch (its due rows
 * and this claim's overlap), and `SKIP LOCKED` then hands each process a part: both parts went
 * out under the batch's one `webhook-id` (seen in the multi-process kill test: a batch of 22 after
 * a 503, sent again as 12 and 10 by two processes 1 ms apart), and a receiver that drops repeated
 * ids would have dropped one part. A batch this claim holds only part of is no batch here: its
 * rows come to the planner with no batch id, to go out under a new one.
 */
async function wholeBatches(c: Queryable, due: DeliveryRecord[], members: DeliveryRecord[]): Promise<{ due: DeliveryRecord[]; batches: Map<string, DeliveryRecord[]> }> {
  const batches = membersByBatch(members)
  if (batches.size === 0) return { due, batches }
  const { rows } = await c.query<{ batch_id: string; n: number }>(
    `SELECT batch_id, count(*)::int AS n FROM webhook_deliveries WHERE batch_id = ANY($1::text[]) AND ${WAITING} GROUP BY batch_id`,
    [[...batches.keys()]],
  )
  const split = new Set(rows.filter((r) => r.n !== (batches.get(r.batch_id)?.length ?? 0)).map((r) => r.batch_id))
  if (split.size === 0) return { due, batches }
  for (const id of split) batches.delete(id)
  const unbatched = (d: DeliveryRecord): DeliveryRecord => (d.batchId !== null && split.has(d.batchId) ? { ...d, batchId: null } : d)
  // Every member this claim locked goes out now, not only the due ones the planner read.
  const dueIds = new Set(due.map((d) => d.id))
  const lockedToo = members.filter((m) => m.batchId !== null && split.has(m.batchId) && !dueIds.has(m.id))
  return { due: [...due, ...lockedToo].map(unbatched), batches }
}

/**
 * The webhooks store on PostgreSQL, shared by every process on the database. Claims lock the
 * due rows with `FOR UPDATE SKIP LOCKED`, so two processes never claim one delivery and neither
 * waits for the other; a settle locks its webhook row, so breaker counts from several processes add up.
 */
export function createPostgresWebhookStore(pool: Pool): WebhookStore {
  const getWebhook = async (c: Queryable, id: string, lock = false): Promise<WebhookRecord | null> => {
    const { rows } = await c.query(`SELECT * FROM webhooks WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])
    return rows[0] === undefined ? null : WebhookRow.parse(rows[0])
  }
  const listWebhooks = async (c: Queryable, lock = false): Promise<WebhookRecord[]> =>
    parseAll(WebhookRow, (await c.query(`SELECT * FROM webhooks ORDER BY created_at, id${lock ? ' FOR SHARE' : ''}`)).rows)
  const applyPatch = async (c: Queryable, id: string, patch: WebhookPatch): Promise<void> => {
    const columns = patchColumns(patch)
    if (columns.length === 0) return
    const sets = columns.map(([col], i) => `${col} = $${i + 2}`).join(', ')
    await c.query(`UPDATE webhooks SET ${sets} WHERE id = $1`, [id, ...columns.map(([, v]) => v)])
  }
  /** Inserts deliveries in one statement; answers the ids that were new. */
  const insertDeliveries = async (c: Queryable, ds: readonly NewDelivery[]): Promise<Set<string>> => {
    if (ds.length === 0) return new Set()
    const { rows } = await c.query(
      `INSERT INTO webhook_deliveries (id, webhook_id, source, job, status, attempts, replay_base, next_attempt_at, created_at, updated_at)
       SELECT id, webhook_id, source, job, 'pending', 0, 0, at, at, at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS d(id, webhook_id, source, job, at)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [ds.map((d) => d.id), ds.map((d) => d.webhookId), ds.map((d) => d.source), ds.map((d) => StoredJobRecord.encode(d.job)), ds.map((d) => d.now)],
    )
    return new Set(parseAll(z.object({ id: z.string() }), rows).map((r) => r.id))
  }
  /** Inserts what `pick` chooses from the webhooks as they are (read under a share lock), on the transaction's client; answers the ids. */
  const enqueuePicked = async (c: PoolClient, pick: (webhooks: readonly WebhookRecord[]) => NewDelivery[]): Promise<string[]> => {
    const picked = pick(await listWebhooks(c, true))
    await insertDeliveries(c, picked)
    return picked.map((d) => d.id)
  }
  const deliveries = async (c: Queryable, sql: string, params: unknown[]) => deliveriesFromRows((await c.query(sql, params)).rows)

  /** One settlement inside the caller's transaction (see `WebhookStore.settle`). */
  const settleOne = async (c: Queryable, s: Settlement): Promise<SettleResult> => {
    const webhook = await getWebhook(c, s.webhookId, true)
    if (webhook === null) return null
    const ids = s.members.map((m) => m.id)
    await c.query(
      `INSERT INTO webhook_attempts (delivery_id, attempt, webhook_id, at, status, duration_ms, error)
       SELECT id, attempt, $3, $4, $5, $6, $7 FROM unnest($1::text[], $2::int[]) AS a(id, attempt)
       ON CONFLICT (delivery_id, attempt) DO UPDATE SET webhook_id = excluded.webhook_id, at = excluded.at, status = excluded.status,
         duration_ms = excluded.duration_ms, error = excluded.error`,
      [ids, s.members.map((m) => m.attempt), s.webhookId, s.at, s.httpStatus, s.durationMs, s.error],
    )
    await c.query(
      `UPDATE webhook_deliveries AS d SET status = u.status, attempts = u.attempt, next_attempt_at = u.next_attempt_at, batch_id = $5,
         last_status = $6, last_error = $7, updated_at = $8
       FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[]) AS u(id, status, attempt, next_attempt_at) WHERE d.id = u.id`,
      [ids, s.members.map((m) => m.status), s.members.map((m) => m.attempt), s.members.map((m) => m.nextAttemptAt), s.batchId, s.httpStatus, s.error, s.at],
    )
    const change = s.breaker?.(webhook) ?? null
    if (change === null) return { webhook, alertIds: [] }
    await applyPatch(c, webhook.id, change.patch)
    if (change.alerts.length === 0) return { webhook, alertIds: [] }
    const inserted = await c.query(
      `INSERT INTO webhook_alerts (webhook_id, kind, message, at)
       SELECT $1, kind, message, $4 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS a(kind, message, n) ORDER BY n RETURNING id`,
      [webhook.id, change.alerts.map((a) => a.kind), change.alerts.map((a) => a.message), s.at],
    )
    return { webhook, alertIds: parseAll(z.object({ id: z.number() }), inserted.rows).map((r) => r.id) }
  }

  return {
    async insertWebhook(w) {
      await pool.query(
        `INSERT INTO webhooks (id, name, config, enabled, test_status, state, consecutive_failures, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'untested', 'active', 0, $5, $5)`,
        [w.id, w.name, JSON.stringify(w.config), w.enabled ? 1 : 0, w.now],
      )
    },
    changeWebhook: (id, decide) =>
      inTransaction(pool, async (c) => {
        const current = await getWebhook(c, id, true)
        if (current === null) return null
        const { patch, answer } = decide(current)
        if (patch !== null) await applyPatch(c, id, patch)
        return { answer }
      }),
    sealLegacyConfigs: (seal) =>
      inTransaction(pool, async (c) => {
        const rows = parseAll(z.object({ id: z.string(), config: z.string() }), (await c.query('SELECT id, config FROM webhooks FOR UPDATE')).rows)
        const changed = rows.flatMap((r) => {
          const sealed = sealedConfigText(r.config, seal)
          return sealed === null ? [] : [{ id: r.id, config: sealed }]
        })
        if (changed.length > 0) {
          await c.query('UPDATE webhooks AS w SET config = u.config FROM unnest($1::text[], $2::text[]) AS u(id, config) WHERE w.id = u.id', [
            changed.map((r) => r.id),
            changed.map((r) => r.config),
          ])
        }
        return changed.length
      }),
    getWebhook: (id) => getWebhook(pool, id),
    listWebhooks: () => listWebhooks(pool),
    deleteWebhook: (id) =>
      inTransaction(pool, async (c) => {
        // The webhook row first, as a settle takes it, so the two cannot each hold what the other waits for.
        if ((await getWebhook(c, id, true)) === null) return false
        await c.query(
          `WITH a AS (DELETE FROM webhook_attempts WHERE webhook_id = $1), d AS (DELETE FROM webhook_deliveries WHERE webhook_id = $1)
           DELETE FROM webhooks WHERE id = $1`,
          [id],
        )
        return true
      }),

    enqueue: (d) =>
      inTransaction(pool, async (c) => {
        // FOR SHARE: a delete of the webhook waits for this insert, and then takes the delivery with it.
        const { rows } = await c.query('SELECT 1 FROM webhooks WHERE id = $1 FOR SHARE', [d.webhookId])
        if (rows.length === 0) return 'missing'
        return (await insertDeliveries(c, [d])).has(d.id) ? 'inserted' : 'duplicate'
      }),
    enqueueFor: (pick) => inTransaction(pool, (c) => enqueuePicked(c, pick)),
    enqueuingFor: (pick) => ({
      sqlite: () => otherBackend('sqlite'),
      postgres: async (c) => void (await enqueuePicked(c, pick)),
    }),
    async getDelivery(id) {
      const [row] = await deliveries(pool, 'SELECT * FROM webhook_deliveries WHERE id = $1', [id])
      return row ?? null
    },
    deliveriesOf: (webhookId, limit) =>
      deliveries(pool, 'SELECT * FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [webhookId, limit]),
    async attemptsOf(ids) {
      if (ids.length === 0) return new Map()
      const { rows } = await pool.query('SELECT * FROM webhook_attempts WHERE delivery_id = ANY($1::text[]) ORDER BY delivery_id, attempt', [ids])
      return attemptsByDelivery(rows)
    },

    claimDue: (now, planner) =>
      inTransaction(pool, async (c) => {
        const { rows } = await c.query(
          `SELECT * FROM webhooks w WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE webhook_id = w.id AND ${WAITING} AND next_attempt_at <= $1) ORDER BY id`,
          [now],
        )
        const units: ClaimedUnit[] = []
        for (const webhook of parseAll(WebhookRow, rows)) {
          const limit = planner.limit(webhook)
          if (limit <= 0) continue
          const due = await deliveries(
            c,
            `SELECT * FROM webhook_deliveries WHERE webhook_id = $1 AND ${WAITING} AND next_attempt_at <= $2
             ORDER BY next_attempt_at, created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED`,
            [webhook.id, now, limit],
          )
          const batchIds = [...new Set(due.flatMap((d) => (d.batchId === null ? [] : [d.batchId])))]
          const members =
            batchIds.length === 0
              ? []
              : await deliveries(c, `SELECT * FROM webhook_deliveries WHERE batch_id = ANY($1::text[]) AND ${WAITING} ORDER BY created_at, id FOR UPDATE SKIP LOCKED`, [batchIds])
          const { due: planned, batches } = await wholeBatches(c, due, members)
          units.push(...planner.plan(webhook, planned, batches))
        }
        const claimed = units.flatMap((u) => u.members.map((m) => [m.id, u.batchId] as const))
        if (claimed.length > 0) {
          await c.query(
            `UPDATE webhook_deliveries AS d SET status = 'delivering', batch_id = u.batch_id, updated_at = $3
             FROM unnest($1::text[], $2::text[]) AS u(id, batch_id) WHERE d.id = u.id`,
            [claimed.map(([id]) => id), claimed.map(([, batchId]) => batchId), now],
          )
        }
        return units
      }),
    settle: (s) => inTransaction(pool, (c) => settleOne(c, s)),
    settleAll: (list) =>
      inTransaction(pool, async (c) => {
        // Webhook rows are locked in id order, as every process does, so two batches cannot deadlock.
        const order = list.map((s, i) => ({ s, i })).sort((x, y) => (x.s.webhookId < y.s.webhookId ? -1 : x.s.webhookId > y.s.webhookId ? 1 : x.i - y.i))
        const out: SettleResult[] = new Array<SettleResult>(list.length)
        for (const { s, i } of order) out[i] = await settleOne(c, s)
        return out
      }),
    async replay(id, now) {
      const result = await pool.query(
        `UPDATE webhook_deliveries SET status = 'pending', replay_base = attempts, next_attempt_at = $1, batch_id = NULL, updated_at = $1
         WHERE id = $2 AND status = 'dead'`,
        [now, id],
      )
      return (result.rowCount ?? 0) > 0
    },
    async recover(now, claimedBefore) {
      const result = await pool.query(
        `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, updated_at = $1 WHERE status = 'delivering' AND updated_at <= $2`,
        [now, claimedBefore],
      )
      return result.rowCount ?? 0
    },
    async nextDue() {
      // One probe of the partial due index per webhook.
      const { rows } = await pool.query<{ due: number | null }>(
        `SELECT min(d.next_attempt_at) AS due FROM webhooks w
         CROSS JOIN LATERAL (SELECT next_attempt_at FROM webhook_deliveries WHERE webhook_id = w.id AND ${WAITING} ORDER BY next_attempt_at LIMIT 1) d`,
      )
      return rows[0]?.due ?? null
    },

    async alertNotified(id, at) {
      await pool.query('UPDATE webhook_alerts SET notified_at = $1 WHERE id = $2', [at, id])
    },
    alerts: async (webhookId, limit) =>
      parseAll(
        AlertRow,
        (
          webhookId === null
            ? await pool.query('SELECT * FROM webhook_alerts ORDER BY at DESC, id DESC LIMIT $1', [limit])
            : await pool.query('SELECT * FROM webhook_alerts WHERE webhook_id = $1 ORDER BY at DESC, id DESC LIMIT $2', [webhookId, limit])
        ).rows,
      ),
  }
}
