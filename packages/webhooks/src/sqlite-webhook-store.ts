import type { Database } from 'better-sqlite3'
import { otherBackend, sameConnection, writeTransaction } from '@switchyard/storage'
import { z } from 'zod'
import {
  AlertRow,
  DeliveryRow,
  StoredJobRecord,
  WebhookRow,
  attemptsByDelivery,
  deliveriesFromRows,
  membersByBatch,
  parseAll,
  patchColumns,
  sealedConfigText,
  type ClaimPlanner,
  type ClaimedUnit,
  type DeliveryRecord,
  type NewDelivery,
  type SettleResult,
  type Settlement,
  type WebhookPatch,
  type WebhookRecord,
  type WebhookStore,
} from './webhook-store'

const DUE = `status IN ('pending', 'failed') AND next_attempt_at <= ?`
/** One webhook's due deliveries, soonest first (the `webhook_deliveries_waiting` index serves it). */
export const DUE_OF_SQL = `SELECT * FROM webhook_deliveries WHERE webhook_id = ? AND ${DUE} ORDER BY next_attempt_at, created_at, id LIMIT ?`

/** Thrown inside a unit's savepoint to undo its claims when a member changed since it was read. */
const STALE_CLAIM = new Error('a claimed delivery changed since it was read')

/**
 * The webhooks store on the server's SQLite file. Every write is one IMMEDIATE transaction (the
 * write lock taken up front, so no busy upgrade midway); the callbacks run inside it, but for a
 * claim's planner, which plans from rows read before the claim's transaction.
 */
export function createSqliteWebhookStore(db: Database): WebhookStore {
  const parseOne = <T>(schema: z.ZodType<T>, row: unknown): T | null => (row === undefined ? null : schema.parse(row))
  // Waits for another thread's commit without blocking this thread's event loop (see ThreadWriteLock).
  const write = <T>(fn: () => T): Promise<T> => writeTransaction(db, fn)

  const q = {
    insertWebhook: db.prepare(
      `INSERT INTO webhooks (id, name, config, enabled, test_status, state, consecutive_failures, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'untested', 'active', 0, ?, ?)`,
    ),
    allConfigs: db.prepare('SELECT id, config FROM webhooks'),
    setConfig: db.prepare('UPDATE webhooks SET config = ? WHERE id = ?'),
    getWebhook: db.prepare('SELECT * FROM webhooks WHERE id = ?'),
    listWebhooks: db.prepare('SELECT * FROM webhooks ORDER BY created_at, id'),
    deleteWebhook: db.prepare('DELETE FROM webhooks WHERE id = ?'),
    deleteDeliveriesOf: db.prepare('DELETE FROM webhook_deliveries WHERE webhook_id = ?'),
    deleteAttemptsOf: db.prepare('DELETE FROM webhook_attempts WHERE webhook_id = ?'),
    insertDelivery: db.prepare(
      `INSERT OR IGNORE INTO webhook_deliveries
         (id, webhook_id, source, job, status, attempts, replay_base, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', 0, 0, ?, ?, ?)`,
    ),
    getDelivery: db.prepare('SELECT * FROM webhook_deliveries WHERE id = ?'),
    deliveriesOf: db.prepare('SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY created_at DESC, id DESC LIMIT ?'),
    attemptsOf: db.prepare(`SELECT * FROM webhook_attempts WHERE delivery_id IN (SELECT value FROM json_each(?)) ORDER BY delivery_id, attempt`),
    // Per webhook, one probe of the partial due index: a DISTINCT over the deliveries would walk
    // every waiting row on each claim (100,000 queued made every tick scan them all).
    dueWebhookIds: db.prepare(
      `SELECT w.id AS webhook_id FROM webhooks w WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE webhook_id = w.id AND ${DUE})`,
    ),
    dueOf: db.prepare(DUE_OF_SQL),
    batchMembers: db.prepare(
      `SELECT * FROM webhook_deliveries WHERE batch_id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'failed') ORDER BY created_at, id`,
    ),
    // Only a row still waiting with the attempts it was read with: nothing else in this process changed it since.
    claim: db.prepare(`UPDATE webhook_deliveries SET status = 'delivering', batch_id = ?, updated_at = ? WHERE id = ? AND status IN ('pending', 'failed') AND attempts = ?`),
    settleDelivery: db.prepare(
      `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, batch_id = ?, last_status = ?, last_error = ?, updated_at = ?
       WHERE id = ?`,
    ),
    replay: db.prepare(
      `UPDATE webhook_deliveries SET status = 'pending', replay_base = attempts, next_attempt_at = ?, batch_id = NULL, updated_at = ?
       WHERE id = ? AND status = 'dead'`,
    ),
    recover: db.prepare(`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE status = 'delivering' AND updated_at <= ?`),
    // Two probes of the (status, next_attempt_at) index.
    nextDue: db.prepare<[], { due: number | null }>(
      `SELECT min(due) AS due FROM (SELECT min(next_attempt_at) AS due FROM webhook_deliveries WHERE status = 'pending'
       UNION ALL SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = 'failed')`,
    ),
    insertAttempt: db.prepare(
      `INSERT OR REPLACE INTO webhook_attempts (delivery_id, attempt, webhook_id, at, status, duration_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertAlert: db.prepare('INSERT INTO webhook_alerts (webhook_id, kind, message, at) VALUES (?, ?, ?, ?)'),
    alertNotified: db.prepare('UPDATE webhook_alerts SET notified_at = ? WHERE id = ?'),
    alertsOf: db.prepare('SELECT * FROM webhook_alerts WHERE webhook_id = ? ORDER BY at DESC, id DESC LIMIT ?'),
    allAlerts: db.prepare('SELECT * FROM webhook_alerts ORDER BY at DESC, id DESC LIMIT ?'),
  }

  const getWebhook = (id: string): WebhookRecord | null => parseOne(WebhookRow, q.getWebhook.get(id))
  const listWebhooks = (): WebhookRecord[] => parseAll(WebhookRow, q.listWebhooks.all())
  const applyPatch = (id: string, patch: WebhookPatch): void => {
    const columns = patchColumns(patch)
    if (columns.length === 0) return
    db.prepare(`UPDATE webhooks SET ${columns.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...columns.map(([, v]) => v), id)
  }
  const insertDelivery = (d: NewDelivery): boolean =>
    q.insertDelivery.run(d.id, d.webhookId, d.source, StoredJobRecord.encode(d.job), d.now, d.now, d.now).changes > 0
  /** Inserts what `pick` chooses from the webhooks as they are, inside the caller's transaction; answers the ids. */
  const enqueuePicked = (pick: (webhooks: readonly WebhookRecord[]) => NewDelivery[]): string[] => {
    const picked = pick(listWebhooks())
    for (const d of picked) insertDelivery(d)
    return picked.map((d) => d.id)
  }

  /** One settlement inside the caller's transaction (see `WebhookStore.settle`). */
  const settleOne = (s: Settlement): SettleResult => {
    const webhook = getWebhook(s.webhookId)
    if (webhook === null) return null
    for (const m of s.members) {
      q.insertAttempt.run(m.id, m.attempt, s.webhookId, s.at, s.httpStatus, s.durationMs, s.error)
      q.settleDelivery.run(m.status, m.attempt, m.nextAttemptAt, s.batchId, s.httpStatus, s.error, s.at, m.id)
    }
    const change = s.breaker?.(webhook) ?? null
    if (change === null) return { webhook, alertIds: [] }
    applyPatch(webhook.id, change.patch)
    const alertIds = change.alerts.map((a) => Number(q.insertAlert.run(webhook.id, a.kind, a.message, s.at).lastInsertRowid))
    return { webhook, alertIds }
  }

  /** What `planner` takes of each webhook's due deliveries, as read now (no write lock). */
  const planUnits = (now: number, planner: ClaimPlanner): ClaimedUnit[] => {
    const units: ClaimedUnit[] = []
    for (const { webhook_id } of parseAll(z.object({ webhook_id: z.string() }), q.dueWebhookIds.all(now))) {
      const webhook = getWebhook(webhook_id)
      if (webhook === null) continue
      const limit = planner.limit(webhook)
      if (limit <= 0) continue
      const due = deliveriesFromRows(q.dueOf.all(webhook.id, now, limit))
      const batchIds = [...new Set(due.flatMap((d) => (d.batchId === null ? [] : [d.batchId])))]
      const batches = membersByBatch(batchIds.length === 0 ? [] : deliveriesFromRows(q.batchMembers.all(JSON.stringify(batchIds))))
      units.push(...planner.plan(webhook, due, batches))
    }
    return units
  }
  const claimMember = (unit: ClaimedUnit, m: DeliveryRecord, now: number): boolean => q.claim.run(unit.batchId, now, m.id, m.attempts).changes > 0
  /** A batch's members move to `delivering` together (in a savepoint), or none does when one changed since it was read. */
  const claimBatch = db.transaction((unit: ClaimedUnit, now: number) => {
    for (const m of unit.members) if (!claimMember(unit, m, now)) throw STALE_CLAIM
  })
  const claimed = (unit: ClaimedUnit, now: number): boolean => {
    // One member needs no savepoint: its one UPDATE moves it or not.
    if (unit.members.length <= 1) return unit.members.every((m) => claimMember(unit, m, now))
    try {
      claimBatch(unit, now)
      return true
    } catch (err) {
      if (err === STALE_CLAIM) return false
      throw err
    }
  }
  /** Claims the planned units in one transaction; a unit a replay, a removal or a settlement changed meanwhile is left out. */
  const claimPlanned = async (now: number, planned: ClaimedUnit[]): Promise<ClaimedUnit[]> =>
    planned.length === 0 ? [] : write(() => planned.filter((unit) => claimed(unit, now)))
  let claiming: Promise<unknown> = Promise.resolve()

  return {
    async insertWebhook(w) {
      await write(() => q.insertWebhook.run(w.id, w.name, JSON.stringify(w.config), w.enabled ? 1 : 0, w.now, w.now))
    },
    async changeWebhook(id, decide) {
      return write(() => {
        const current = getWebhook(id)
        if (current === null) return null
        const { patch, answer } = decide(current)
        if (patch !== null) applyPatch(id, patch)
        return { answer }
      })
    },
    async sealLegacyConfigs(seal) {
      return write(() => {
        let count = 0
        for (const row of parseAll(z.object({ id: z.string(), config: z.string() }), q.allConfigs.all())) {
          const sealed = sealedConfigText(row.config, seal)
          if (sealed === null) continue
          q.setConfig.run(sealed, row.id)
          count += 1
        }
        return count
      })
    },
    getWebhook: async (id) => getWebhook(id),
    listWebhooks: async () => listWebhooks(),
    async deleteWebhook(id) {
      return write(() => {
        q.deleteAttemptsOf.run(id)
        q.deleteDeliveriesOf.run(id)
        return q.deleteWebhook.run(id).changes > 0
      })
    },

    async enqueue(d) {
      return write(() => {
        if (getWebhook(d.webhookId) === null) return 'missing'
        return insertDelivery(d) ? 'inserted' : 'duplicate'
      })
    },
    enqueueFor: (pick) => write(() => enqueuePicked(pick)),
    enqueuingFor: (pick) => ({
      sqlite(owner) {
        sameConnection(db, owner)
        enqueuePicked(pick)
      },
      postgres: () => otherBackend('postgres'),
    }),
    getDelivery: async (id) => parseOne(DeliveryRow, q.getDelivery.get(id)),
    deliveriesOf: async (webhookId, limit) => parseAll(DeliveryRow, q.deliveriesOf.all(webhookId, limit)),
    attemptsOf: async (ids) => attemptsByDelivery(ids.length === 0 ? [] : q.attemptsOf.all(JSON.stringify(ids))),

    // Read and planned before the write lock, claimed under it: parsing a claim's rows inside the
    // transaction held the lock the engine thread waits for (1.8 s of a 100,000-delivery run).
    // Claims in this store run one after another, each reading what the one before wrote.
    claimDue: (now, planner) => {
      const next = claiming.then(() => claimPlanned(now, planUnits(now, planner)))
      claiming = next.catch(() => undefined)
      return next
    },
    settle: async (s) => write(() => settleOne(s)),
    settleAll: async (list) => write(() => list.map(settleOne)),
    replay: async (id, now) => write(() => q.replay.run(now, now, id).changes > 0),
    recover: async (now, claimedBefore) => write(() => q.recover.run(now, now, claimedBefore).changes),
    nextDue: async () => q.nextDue.get()?.due ?? null,

    async alertNotified(id, at) {
      await write(() => q.alertNotified.run(at, id))
    },
    alerts: async (webhookId, limit) => parseAll(AlertRow, webhookId === null ? q.allAlerts.all(limit) : q.alertsOf.all(webhookId, limit)),
  }
}
