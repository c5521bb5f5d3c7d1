import {
  DeliveryStatus,
  WebhookAlertKind,
  WebhookEncoding,
  WebhookJobSchema,
  WebhookRetryPolicy,
  WebhookState,
  WebhookTestStatus,
  versionedRecord,
} from '@switchyard/schema'
import type { Database } from 'better-sqlite3'
import { z } from 'zod'

/**
 * The webhooks tables as typed rows. Every row read is parsed: the database is an edge, and a row
 * written by an older version must fail loudly here rather than deep in the dispatcher.
 */

/**
 * A webhook's configuration as stored; secrets only ever sealed. `v` versions the JSON itself.
 * v2 seals every header and query value (each value on its own, names in the clear).
 */
export const StoredConfig = z.object({
  v: z.literal(2),
  url: z.string(),
  encoding: WebhookEncoding,
  auth: z.object({ username: z.string(), passwordSealed: z.string() }).nullable(),
  /** Header name -> sealed value. */
  headersSealed: z.record(z.string(), z.string()),
  /** Query parameter name -> sealed value. */
  querySealed: z.record(z.string(), z.string()),
  timeoutMs: z.number().int(),
  retry: WebhookRetryPolicy,
  signingSecretSealed: z.string().nullable(),
  events: z.array(z.string()),
})
export type StoredConfig = z.infer<typeof StoredConfig>

/** v1 kept header and query values in plain text; `sealLegacyConfigs` rewrites such rows as v2 at start. */
const StoredConfigV1 = StoredConfig.omit({ v: true, headersSealed: true, querySealed: true }).extend({
  v: z.literal(1),
  headers: z.record(z.string(), z.string()),
  query: z.record(z.string(), z.string()),
})

/** The v1 -> v2 step: seals the header and query values, keeps everything else. */
export function upgradeConfig(raw: unknown, seal: (plain: string) => string): StoredConfig | null {
  const v1 = StoredConfigV1.safeParse(raw)
  if (!v1.success) return null
  const { headers, query, v: _v, ...rest } = v1.data
  const sealAll = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, seal(v)]))
  return { ...rest, v: 2, headersSealed: sealAll(headers), querySealed: sealAll(query) }
}

const Flag = z.union([z.literal(0), z.literal(1)]).transform((v) => v === 1)

const WebhookRow = z
  .object({
    id: z.string(),
    name: z.string(),
    config: z.string(),
    enabled: Flag,
    test_status: WebhookTestStatus,
    last_tested_at: z.number().nullable(),
    state: WebhookState,
    paused_until: z.number().nullable(),
    consecutive_failures: z.number().int(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .transform((r) => ({
    id: r.id,
    name: r.name,
    config: StoredConfig.parse(JSON.parse(r.config)),
    enabled: r.enabled,
    testStatus: r.test_status,
    lastTestedAt: r.last_tested_at,
    state: r.state,
    pausedUntil: r.paused_until,
    consecutiveFailures: r.consecutive_failures,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }))
export type WebhookRecord = z.output<typeof WebhookRow>

/** An account event's delivery: the body is built when the event is emitted and kept as sent. */
export const AccountJob = z.object({
  kind: z.literal('account'),
  type: z.string(),
  eventId: z.string(),
  body: z.record(z.string(), z.unknown()),
})
export type AccountJob = z.infer<typeof AccountJob>

export const StoredJob = z.union([WebhookJobSchema, AccountJob])
export type StoredJob = z.infer<typeof StoredJob>

/** `webhook_deliveries.job`: rows written before versioned records hold the bare job (v1). */
export const StoredJobRecord = versionedRecord({ name: 'webhook delivery job', version: 1, schema: StoredJob })

const DeliveryRow = z
  .object({
    id: z.string(),
    webhook_id: z.string(),
    source: z.enum(['journey', 'account']),
    job: z.string(),
    status: DeliveryStatus,
    attempts: z.number().int(),
    replay_base: z.number().int(),
    next_attempt_at: z.number().nullable(),
    batch_id: z.string().nullable(),
    last_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .transform((r) => ({
    id: r.id,
    webhookId: r.webhook_id,
    source: r.source,
    job: StoredJobRecord.decode(r.job),
    status: r.status,
    attempts: r.attempts,
    replayBase: r.replay_base,
    nextAttemptAt: r.next_attempt_at,
    batchId: r.batch_id,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }))
export type DeliveryRecord = z.output<typeof DeliveryRow>

const AttemptRow = z
  .object({
    delivery_id: z.string(),
    attempt: z.number().int(),
    webhook_id: z.string(),
    at: z.number(),
    status: z.number().int().nullable(),
    duration_ms: z.number().int(),
    error: z.string().nullable(),
  })
  .transform((r) => ({
    deliveryId: r.delivery_id,
    attempt: r.attempt,
    webhookId: r.webhook_id,
    at: r.at,
    status: r.status,
    durationMs: r.duration_ms,
    error: r.error,
  }))
export type AttemptRecord = z.output<typeof AttemptRow>

const AlertRow = z
  .object({
    id: z.number().int(),
    webhook_id: z.string(),
    kind: WebhookAlertKind,
    message: z.string(),
    at: z.number(),
    notified_at: z.number().nullable(),
  })
  .transform((r) => ({ id: r.id, webhookId: r.webhook_id, kind: r.kind, message: r.message, at: r.at, notifiedAt: r.notified_at }))
export type AlertRecord = z.output<typeof AlertRow>

export interface NewWebhook {
  id: string
  name: string
  config: StoredConfig
  enabled: boolean
  now: number
}

export interface AttemptInsert {
  deliveryId: string
  attempt: number
  webhookId: string
  at: number
  status: number | null
  durationMs: number
  error: string | null
}

export interface DeliveryUpdate {
  id: string
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: number | null
  batchId: string | null
  lastStatus: number | null
  lastError: string | null
  now: number
}

const DUE = `status IN ('pending', 'failed') AND next_attempt_at <= ?`

export function createWebhookStore(db: Database) {
  const parseAll = <T>(schema: z.ZodType<T>, rows: unknown[]): T[] => rows.map((r) => schema.parse(r))
  const parseOne = <T>(schema: z.ZodType<T>, row: unknown): T | null => (row === undefined ? null : schema.parse(row))

  const q = {
    insertWebhook: db.prepare(
      `INSERT INTO webhooks (id, name, config, enabled, test_status, state, consecutive_failures, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'untested', 'active', 0, ?, ?)`,
    ),
    updateWebhook: db.prepare(
      `UPDATE webhooks SET name = ?, config = ?, enabled = ?, state = 'active', paused_until = NULL,
         consecutive_failures = 0, updated_at = ?,
         test_status = CASE WHEN ? = 1 THEN 'untested' ELSE test_status END,
         last_tested_at = CASE WHEN ? = 1 THEN NULL ELSE last_tested_at END
       WHERE id = ?`,
    ),
    allConfigs: db.prepare('SELECT id, config FROM webhooks'),
    setConfig: db.prepare('UPDATE webhooks SET config = ? WHERE id = ?'),
    getWebhook: db.prepare('SELECT * FROM webhooks WHERE id = ?'),
    listWebhooks: db.prepare('SELECT * FROM webhooks ORDER BY created_at, id'),
    deleteWebhook: db.prepare('DELETE FROM webhooks WHERE id = ?'),
    deleteDeliveriesOf: db.prepare('DELETE FROM webhook_deliveries WHERE webhook_id = ?'),
    deleteAttemptsOf: db.prepare('DELETE FROM webhook_attempts WHERE webhook_id = ?'),
    setTest: db.prepare('UPDATE webhooks SET test_status = ?, last_tested_at = ? WHERE id = ?'),
    rearm: db.prepare(`UPDATE webhooks SET state = 'active', paused_until = NULL, consecutive_failures = 0 WHERE id = ?`),
    setBreaker: db.prepare('UPDATE webhooks SET state = ?, paused_until = ?, consecutive_failures = ? WHERE id = ?'),
    insertDelivery: db.prepare(
      `INSERT OR IGNORE INTO webhook_deliveries
         (id, webhook_id, source, job, status, attempts, replay_base, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', 0, 0, ?, ?, ?)`,
    ),
    getDelivery: db.prepare('SELECT * FROM webhook_deliveries WHERE id = ?'),
    deliveriesOf: db.prepare('SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY created_at DESC, id DESC LIMIT ?'),
    dueWebhookIds: db.prepare(`SELECT DISTINCT webhook_id FROM webhook_deliveries WHERE ${DUE}`),
    dueOf: db.prepare(`SELECT * FROM webhook_deliveries WHERE webhook_id = ? AND ${DUE} ORDER BY next_attempt_at, created_at, id LIMIT ?`),
    batchMembers: db.prepare(`SELECT * FROM webhook_deliveries WHERE batch_id = ? AND status IN ('pending', 'failed') ORDER BY created_at, id`),
    claim: db.prepare(`UPDATE webhook_deliveries SET status = 'delivering', batch_id = ?, updated_at = ? WHERE id = ?`),
    updateDelivery: db.prepare(
      `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, batch_id = ?, last_status = ?, last_error = ?, updated_at = ?
       WHERE id = ?`,
    ),
    replay: db.prepare(
      `UPDATE webhook_deliveries SET status = 'pending', replay_base = attempts, next_attempt_at = ?, batch_id = NULL, updated_at = ?
       WHERE id = ? AND status = 'dead'`,
    ),
    recover: db.prepare(`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE status = 'delivering'`),
    insertAttempt: db.prepare(
      `INSERT OR REPLACE INTO webhook_attempts (delivery_id, attempt, webhook_id, at, status, duration_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    attemptsOf: db.prepare('SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt'),
    insertAlert: db.prepare('INSERT INTO webhook_alerts (webhook_id, kind, message, at) VALUES (?, ?, ?, ?)'),
    alertNotified: db.prepare('UPDATE webhook_alerts SET notified_at = ? WHERE id = ?'),
    alertsOf: db.prepare('SELECT * FROM webhook_alerts WHERE webhook_id = ? ORDER BY at DESC, id DESC LIMIT ?'),
    allAlerts: db.prepare('SELECT * FROM webhook_alerts ORDER BY at DESC, id DESC LIMIT ?'),
  }

  return {
    /** Runs `fn` in an IMMEDIATE transaction: the write lock is taken up front, so no busy upgrade midway. */
    write<T>(fn: () => T): T {
      return db.transaction(fn).immediate()
    },

    insertWebhook(w: NewWebhook): void {
      q.insertWebhook.run(w.id, w.name, JSON.stringify(w.config), w.enabled ? 1 : 0, w.now, w.now)
    },
    /**
     * Saving re-arms the endpoint: the user has looked at it, so a pause or a 410 is forgiven.
     * `resetTest` when the change affects delivery: the last test no longer says anything.
     */
    updateWebhook(id: string, name: string, config: StoredConfig, enabled: boolean, now: number, resetTest: boolean): void {
      const reset = resetTest ? 1 : 0
      q.updateWebhook.run(name, JSON.stringify(config), enabled ? 1 : 0, now, reset, reset, id)
    },
    /** Rewrites every v1 config (plain header and query values) as v2; answers how many. */
    sealLegacyConfigs(seal: (plain: string) => string): number {
      let count = 0
      for (const row of parseAll(z.object({ id: z.string(), config: z.string() }), q.allConfigs.all())) {
        const upgraded = upgradeConfig(JSON.parse(row.config), seal)
        if (upgraded === null) continue
        q.setConfig.run(JSON.stringify(upgraded), row.id)
        count += 1
      }
      return count
    },
    getWebhook(id: string): WebhookRecord | null {
      return parseOne(WebhookRow, q.getWebhook.get(id))
    },
    listWebhooks(): WebhookRecord[] {
      return parseAll(WebhookRow, q.listWebhooks.all())
    },
    deleteWebhook(id: string): boolean {
      q.deleteAttemptsOf.run(id)
      q.deleteDeliveriesOf.run(id)
      return q.deleteWebhook.run(id).changes > 0
    },
    setTestResult(id: string, status: 'passing' | 'failing', at: number): void {
      q.setTest.run(status, at, id)
    },
    rearm(id: string): void {
      q.rearm.run(id)
    },
    setBreaker(id: string, state: WebhookState, pausedUntil: number | null, consecutiveFailures: number): void {
      q.setBreaker.run(state, pausedUntil, consecutiveFailures, id)
    },

    /** True when inserted, false when a delivery with this id already exists. */
    insertDelivery(d: { id: string; webhookId: string; source: 'journey' | 'account'; job: StoredJob; now: number }): boolean {
      return q.insertDelivery.run(d.id, d.webhookId, d.source, StoredJobRecord.encode(d.job), d.now, d.now, d.now).changes > 0
    },
    getDelivery(id: string): DeliveryRecord | null {
      return parseOne(DeliveryRow, q.getDelivery.get(id))
    },
    deliveriesOf(webhookId: string, limit: number): DeliveryRecord[] {
      return parseAll(DeliveryRow, q.deliveriesOf.all(webhookId, limit))
    },
    dueWebhookIds(now: number): string[] {
      return parseAll(z.object({ webhook_id: z.string() }), q.dueWebhookIds.all(now)).map((r) => r.webhook_id)
    },
    dueOf(webhookId: string, now: number, limit: number): DeliveryRecord[] {
      return parseAll(DeliveryRow, q.dueOf.all(webhookId, now, limit))
    },
    batchMembers(batchId: string): DeliveryRecord[] {
      return parseAll(DeliveryRow, q.batchMembers.all(batchId))
    },
    claim(id: string, batchId: string | null, now: number): void {
      q.claim.run(batchId, now, id)
    },
    updateDelivery(u: DeliveryUpdate): void {
      q.updateDelivery.run(u.status, u.attempts, u.nextAttemptAt, u.batchId, u.lastStatus, u.lastError, u.now, u.id)
    },
    replay(id: string, now: number): boolean {
      return q.replay.run(now, now, id).changes > 0
    },
    /** Deliveries a previous process claimed and never finished go back to the queue, due now. */
    recover(now: number): number {
      return q.recover.run(now, now).changes
    },

    insertAttempt(a: AttemptInsert): void {
      q.insertAttempt.run(a.deliveryId, a.attempt, a.webhookId, a.at, a.status, a.durationMs, a.error)
    },
    attemptsOf(deliveryId: string): AttemptRecord[] {
      return parseAll(AttemptRow, q.attemptsOf.all(deliveryId))
    },

    insertAlert(webhookId: string, kind: WebhookAlertKind, message: string, at: number): number {
      return Number(q.insertAlert.run(webhookId, kind, message, at).lastInsertRowid)
    },
    alertNotified(id: number, at: number): void {
      q.alertNotified.run(at, id)
    },
    alerts(webhookId: string | null, limit: number): AlertRecord[] {
      return parseAll(AlertRow, webhookId === null ? q.allAlerts.all(limit) : q.alertsOf.all(webhookId, limit))
    },
  }
}

export type WebhookStore = ReturnType<typeof createWebhookStore>
