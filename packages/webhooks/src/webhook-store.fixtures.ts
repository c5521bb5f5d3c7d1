/** What the webhook store contracts share: the store under test, a stored config, and helpers. */
import type { JoinedWrite } from '@switchyard/storage'
import { sampleJob } from './testing'
import type { ClaimPlanner, NewDelivery, Settlement, StoredConfig, WebhookStore } from './webhook-store'

/** What a backend gives each contract test: a store on empty tables, and raw SQL for what the interface cannot write. */
export interface StoreUnderTest {
  store: WebhookStore
  exec(sql: string): Promise<void>
  /** Runs a joined write in a transaction on the store's database, as another store owning it would; rolled back after it when asked. */
  joined(write: JoinedWrite, o?: { rollback?: boolean }): Promise<void>
}

/** A webhook's stored configuration, for tests that write through a store. */
export const CONFIG: StoredConfig = {
  v: 2,
  url: 'https://crm.example.com/hooks',
  encoding: 'json',
  auth: null,
  headersSealed: {},
  querySealed: {},
  timeoutMs: 3000,
  retry: { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 300_000 },
  signingSecretSealed: null,
  events: ['journey.published'],
}

export const delivery = (id: string, webhookId: string, now: number): NewDelivery => ({ id, webhookId, source: 'journey', job: sampleJob(webhookId, { id }), now })

/** Takes every due row one request each, as many as the limit lets through. */
export const takeAll = (limit = 100): ClaimPlanner => ({
  limit: () => limit,
  plan: (webhook, due, batches) =>
    due.map((d) => (d.batchId === null ? { webhookId: webhook.id, batchId: null, members: [d] } : { webhookId: webhook.id, batchId: d.batchId, members: batches.get(d.batchId) ?? [d] })),
})

export const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id)

/**
 * Deliveries `members` of webhook `webhookId` (which must exist), queued at 1000, claimed as batch
 * `batchId` and answered 503 at 1100: each is `failed`, next due at 3000, still in the batch.
 */
export async function failedBatch(store: WebhookStore, webhookId: string, batchId: string, members: readonly string[]): Promise<void> {
  for (const id of members) await store.enqueue(delivery(id, webhookId, 1000))
  await store.claimDue(1000, { limit: () => 10, plan: (w, due) => [{ webhookId: w.id, batchId, members: [...due] }] })
  await store.settle({
    webhookId,
    batchId,
    at: 1100,
    httpStatus: 503,
    durationMs: 7,
    error: 'HTTP 503',
    members: members.map((id) => ({ id, attempt: 1, status: 'failed' as const, nextAttemptAt: 3000 })),
    breaker: null,
  })
}

/** Inserts webhook `id` with CONFIG. */
export async function addWebhook(store: WebhookStore, id: string, now = 1000, enabled = true): Promise<void> {
  await store.insertWebhook({ id, name: `Hook ${id}`, config: CONFIG, enabled, now })
}

/** The settlement of one delivery's first attempt answered 500 at `at`, due again at `nextAttemptAt`. */
export function answered500(webhookId: string, id: string, at: number, nextAttemptAt: number, breaker: Settlement['breaker']): Settlement {
  return { webhookId, batchId: null, at, httpStatus: 500, durationMs: 1, error: 'HTTP 500', members: [{ id, attempt: 1, status: 'failed', nextAttemptAt }], breaker }
}
