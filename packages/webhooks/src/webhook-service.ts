import { randomUUID } from 'node:crypto'
import {
  type Failure,
  type Result,
  type WebhookAlertView,
  type WebhookAttemptView,
  type WebhookDeliveryView,
  type WebhookErrorCode,
  WebhookInput,
  type WebhookJob,
  type WebhookPreview,
  WebhookPreviewInput,
  type WebhookTestResult,
  type WebhookView,
  fail,
  ok,
} from '@switchyard/schema'
import type { SecretBox } from '@switchyard/secrets'
import { migratePostgres, type JoinedWrite, type StoreBackend } from '@switchyard/storage'
import type { z } from 'zod'
import { type AccountEventArgs } from './account-events'
import { type AccountDeliveryPlan, accountDeliveryPlan, anyReceives } from './account-deliveries'
import { type Resolver, createAddressGuard } from './address-guard'
import { DEFAULT_BREAKER, type BreakerOptions } from './breaker'
import { endpointUrl } from './delivery-request'
import { type AttemptEvent, type WebhookCrashPoint, createDispatcher } from './dispatcher'
import { deliveryFingerprint, maskValues, storedConfig } from './config-secrets'
import { sendTestRequest } from './endpoint-test'
import { type WebhookLogger, silentLogger } from './log'
import { WEBHOOK_MIGRATIONS, migrate } from './migrations'
import { encodePayload, journeyPayload } from './payload'
import { DEFAULT_TEMPLATE_LIMITS, type TemplateLimits, createTemplateRenderer } from './template-body'
import { type Transport, createTransport } from './transport'
import { toAlertView, toDeliveryView, toWebhookView } from './views'
import { createPostgresWebhookStore } from './postgres-webhook-store'
import { createSqliteWebhookStore } from './sqlite-webhook-store'
import { REARM, type WebhookPatch, type WebhookStore } from './webhook-store'

export interface WebhookServiceOptions {
  /** The server's database (its SQLite file or a PostgreSQL pool); the service keeps to tables prefixed `webhook`. */
  backend: StoreBackend
  /** Seals basic-auth passwords and signing secrets at rest. */
  secretBox: SecretBox
  clock: { now(): number }
  /** The workspace name: the top-level key of activity bodies and `license_code` of account events. */
  workspace: string
  /** CIDRs private targets may use (ALLOW_PRIVATE_TARGETS). */
  allowPrivate?: readonly string[]
  /** Requests in flight per endpoint. Default 4. */
  concurrency?: number
  /** Activity items per request when several are due at once for one endpoint. Default 50; 1 turns batching off. */
  batchSize?: number
  breaker?: Partial<BreakerOptions>
  templateLimits?: Partial<TemplateLimits>
  /** How often `start()` polls for due deliveries, ms. Default 1000. */
  pollIntervalMs?: number
  log?: WebhookLogger
  /** Called after every attempt is committed, once per delivery (a batch calls it per member). */
  onAttempt?: (delivery: AttemptEvent['delivery'], attempt: WebhookAttemptView) => void
  /** Called when an alert is raised (breaker opened, endpoint gone); the server sends the email. */
  alert?: (alert: WebhookAlertView) => void | Promise<void>
  /** Jitter source, in [0, 1). Tests pin it. */
  random?: () => number
  /** DNS resolution for the address guard. Tests inject one so no real lookup happens. */
  resolve?: Resolver
  /** Replaces the HTTP transport entirely (the address guard included). */
  transport?: Transport
  /** Crash points of the reliability harness, around each request. */
  crashPoint?: (point: WebhookCrashPoint) => void
}

/**
 * On PostgreSQL, a claim older than this belongs to a process that died: a request takes at most
 * 30 s (`timeoutMs`), so 45 s does not take a delivery from a live process, and a killed
 * process's deliveries go out again within a minute (the partitions' takeover is 15 s).
 */
export const STALE_CLAIM_MS = 45_000

export interface EnqueueResult {
  deliveryId: string
  /** True when a delivery with this id already existed: nothing was added. */
  duplicate: boolean
}

/** Migrates the webhooks tables of a backend and answers its store. */
export async function openWebhookStore(backend: StoreBackend, now: number): Promise<WebhookStore> {
  if (backend.kind === 'sqlite') {
    migrate(backend.db, now)
    return createSqliteWebhookStore(backend.db)
  }
  await migratePostgres(backend.pool, [WEBHOOK_MIGRATIONS], now)
  return createPostgresWebhookStore(backend.pool)
}

export async function createWebhookService(options: WebhookServiceOptions) {
  const { secretBox, clock, workspace } = options
  const log = options.log ?? silentLogger
  const store = await openWebhookStore(options.backend, clock.now())
  const sealed = await store.sealLegacyConfigs((plain) => secretBox.seal(plain))
  if (sealed > 0) log({ level: 'info', msg: `sealed the header and query values of ${sealed} webhooks` })
  const transport =
    options.transport ?? createTransport({ guard: createAddressGuard({ allowPrivate: options.allowPrivate ?? [], ...(options.resolve ? { resolve: options.resolve } : {}) }) })
  const renderer = createTemplateRenderer({ ...DEFAULT_TEMPLATE_LIMITS, ...options.templateLimits })

  // Deliveries a previous process had claimed were maybe not sent: send them again (at-least-once),
  // with the same ids. On SQLite one service per database is assumed, so every claim is taken
  // back; on PostgreSQL processes share the deliveries, so only claims old enough that no live
  // process can still be sending them, here and then every minute (a process that dies leaves
  // its claims to the others).
  const staleClaimMs = options.backend.kind === 'postgres' ? STALE_CLAIM_MS : null
  const now = clock.now()
  const recovered = await store.recover(now, staleClaimMs === null ? Number.MAX_SAFE_INTEGER : now - staleClaimMs)
  if (recovered > 0) log({ level: 'warn', msg: `re-queued ${recovered} webhook deliveries left in flight by a previous run` })

  const dispatcher = createDispatcher({
    store,
    secretBox,
    clock,
    transport,
    renderTemplate: renderer.render,
    log,
    concurrency: options.concurrency ?? 4,
    batchSize: Math.max(1, options.batchSize ?? 50),
    breaker: { ...DEFAULT_BREAKER, ...options.breaker },
    random: options.random ?? Math.random,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    staleClaimMs,
    onAttempt: options.onAttempt,
    alert: options.alert,
    crashPoint: options.crashPoint,
  })

  const invalid = (error: z.ZodError): Failure<WebhookErrorCode> =>
    fail(
      'webhook.invalid',
      error.issues[0]?.message ?? 'The webhook is not valid.',
      error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    )
  const notFound = (id: string): Failure<WebhookErrorCode> => fail('webhook.not_found', `No webhook with id ${id}.`)

  async function create(raw: unknown): Promise<Result<WebhookView, WebhookErrorCode>> {
    const parsed = WebhookInput.safeParse(raw)
    if (!parsed.success) return invalid(parsed.error)
    const config = storedConfig(parsed.data, null, secretBox)
    if (!config.ok) return config
    const id = `wh_${randomUUID()}`
    const now = clock.now()
    await store.insertWebhook({ id, name: parsed.data.name, config: config.value, enabled: parsed.data.enabled, now })
    return get(id)
  }

  async function update(id: string, raw: unknown): Promise<Result<WebhookView, WebhookErrorCode>> {
    const parsed = WebhookInput.safeParse(raw)
    if (!parsed.success) return invalid(parsed.error)
    const changed = await store.changeWebhook(id, (existing): { patch: WebhookPatch | null; answer: Result<null, WebhookErrorCode> } => {
      const config = storedConfig(parsed.data, existing.config, secretBox)
      if (!config.ok) return { patch: null, answer: config }
      const before = deliveryFingerprint(existing.config, secretBox)
      // A change to what delivery sends makes the last test say nothing.
      const resetTest = before === null || before !== deliveryFingerprint(config.value, secretBox)
      return {
        // Saving re-arms the endpoint: the user has looked at it, so a pause or a 410 is forgiven.
        patch: {
          ...REARM,
          name: parsed.data.name,
          config: config.value,
          enabled: parsed.data.enabled,
          updatedAt: clock.now(),
          ...(resetTest ? { testStatus: 'untested' as const, lastTestedAt: null } : {}),
        },
        answer: ok(null),
      }
    })
    if (changed === null) return notFound(id)
    if (!changed.answer.ok) return changed.answer
    dispatcher.wake()
    return get(id)
  }

  async function get(id: string): Promise<Result<WebhookView, WebhookErrorCode>> {
    const record = await store.getWebhook(id)
    return record === null ? notFound(id) : ok(toWebhookView(record))
  }

  async function list(): Promise<WebhookView[]> {
    return (await store.listWebhooks()).map(toWebhookView)
  }

  /** Deletes the webhook with its queued deliveries and their attempts. */
  async function remove(id: string): Promise<Result<{ id: string }, WebhookErrorCode>> {
    const removed = await store.deleteWebhook(id)
    return removed ? ok({ id }) : notFound(id)
  }

  /** Clears a pause or a 410 by hand. */
  async function resume(id: string): Promise<Result<WebhookView, WebhookErrorCode>> {
    const found = await store.changeWebhook(id, () => ({ patch: REARM, answer: true }))
    if (found === null) return notFound(id)
    dispatcher.wake()
    return get(id)
  }

  /**
   * Posts a sample activity item and records whether the endpoint answered 2xx (as Netcore asks
   * before a webhook is used). A passing test also re-arms a paused or disabled endpoint.
   */
  async function test(id: string): Promise<Result<WebhookTestResult, WebhookErrorCode>> {
    const record = await store.getWebhook(id)
    if (record === null) return notFound(id)
    const result = await sendTestRequest(record, { secretBox, transport, render: renderer.render, workspace, now: clock.now() })
    const passed = result.ok
    const tested = deliveryFingerprint(record.config, secretBox)
    await store.changeWebhook(id, (current) => {
      // A save while the test was in flight changed what delivery does: this outcome is of the old settings.
      if (tested === null || deliveryFingerprint(current.config, secretBox) !== tested) return { patch: null, answer: null }
      const rearm = passed && record.state !== 'active' ? REARM : {}
      return { patch: { testStatus: passed ? 'passing' : 'failing', lastTestedAt: clock.now(), ...rearm }, answer: null }
    })
    log({ level: passed ? 'info' : 'warn', msg: `webhook test ${passed ? 'passed' : 'failed'}`, webhookId: id, status: result.status, durationMs: result.durationMs, ...(result.error === undefined ? {} : { error: result.error }) })
    if (passed) dispatcher.wake()
    return ok(result)
  }

  /** Adds a journey node's delivery to the durable queue; idempotent by `job.id`. */
  async function enqueue(job: WebhookJob): Promise<Result<EnqueueResult, WebhookErrorCode>> {
    const queued = await store.enqueue({ id: job.id, webhookId: job.webhookId, source: 'journey', job, now: clock.now() })
    if (queued === 'missing') return notFound(job.webhookId)
    dispatcher.wake()
    return ok({ deliveryId: job.id, duplicate: queued === 'duplicate' })
  }

  /**
   * A relay batch of journey webhook jobs, queued inside the relay's settlement transaction,
   * idempotent by job id: per job `queued`, or `missing` when its webhook does not exist (read
   * now). The joined write queues the jobs whose webhook still exists when it commits: one deleted
   * in between would have taken its deliveries with it.
   */
  async function enqueuing(jobs: readonly WebhookJob[]): Promise<{ queued: ('queued' | 'missing')[]; write: JoinedWrite }> {
    const at = clock.now()
    const existing = new Set((await store.listWebhooks()).map((w) => w.id))
    const write = store.enqueuingFor((webhooks) => {
      const found = new Set(webhooks.map((w) => w.id))
      return jobs.flatMap((job) => (found.has(job.webhookId) ? [{ id: job.id, webhookId: job.webhookId, source: 'journey' as const, job, now: at }] : []))
    })
    return { queued: jobs.map((job) => (existing.has(job.webhookId) ? 'queued' : 'missing')), write: { ...write, committed: () => dispatcher.wake() } }
  }

  /**
   * Queues an account event for every enabled webhook subscribed to it (paused ones hold it until
   * they resume; ones disabled by a 410 are skipped). Track and message events are idempotent by
   * their message id.
   */
  async function emitAccountEvent(...args: AccountEventArgs): Promise<Result<{ deliveryIds: string[] }, WebhookErrorCode>> {
    const [ids = []] = await emitAccountEvents([args])
    return ok({ deliveryIds: ids })
  }

  /** The deliveries of account events (see `accountDeliveryPlan`); null when no webhook receives any of them. */
  async function accountDeliveries(events: readonly AccountEventArgs[]): Promise<AccountDeliveryPlan | null> {
    // Most accounts subscribe to few of these events, or none: a read with nothing to queue
    // spares the write transaction and every body. A webhook created while this runs gets the
    // events after it, as it would have had it been created a moment later.
    if (events.length === 0 || !anyReceives(await store.listWebhooks(), events)) return null
    return accountDeliveryPlan(events, workspace, clock.now())
  }

  /**
   * Several account events in one transaction (an ingest batch's tracked events): the delivery ids
   * of each, in order.
   */
  async function emitAccountEvents(events: readonly AccountEventArgs[]): Promise<string[][]> {
    const planned = await accountDeliveries(events)
    if (planned === null) return events.map(() => [])
    await store.enqueueFor(planned.pick)
    if (planned.perEvent.some((ids) => ids.length > 0)) dispatcher.wake()
    return planned.perEvent
  }

  /** The same, inside a transaction another store owns (a relay batch's message events); null when no webhook receives them. */
  async function emittingAccountEvents(events: readonly AccountEventArgs[]): Promise<JoinedWrite | null> {
    const planned = await accountDeliveries(events)
    return planned && { ...store.enqueuingFor(planned.pick), committed: () => dispatcher.wake() }
  }

  async function deliveries(webhookId: string, opts: { limit?: number } = {}): Promise<Result<WebhookDeliveryView[], WebhookErrorCode>> {
    if ((await store.getWebhook(webhookId)) === null) return notFound(webhookId)
    const limit = Math.min(500, Math.max(1, Math.floor(opts.limit ?? 50)))
    const rows = await store.deliveriesOf(webhookId, limit)
    const attempts = await store.attemptsOf(rows.map((d) => d.id))
    return ok(rows.map((d) => toDeliveryView(d, attempts.get(d.id) ?? [])))
  }

  async function delivery(deliveryId: string): Promise<Result<WebhookDeliveryView, WebhookErrorCode>> {
    const found = await store.getDelivery(deliveryId)
    if (found === null) return fail('delivery.not_found', `No delivery with id ${deliveryId}.`)
    const attempts = await store.attemptsOf([found.id])
    return ok(toDeliveryView(found, attempts.get(found.id) ?? []))
  }

  /** Sends a dead delivery again, with its id and a fresh retry budget; it leaves any batch it was in. */
  async function replay(deliveryId: string): Promise<Result<WebhookDeliveryView, WebhookErrorCode>> {
    // The replay only takes a dead row, so a delivery that moved on meanwhile is answered as it now is.
    if (!(await store.replay(deliveryId, clock.now()))) {
      const found = await store.getDelivery(deliveryId)
      if (found === null) return fail('delivery.not_found', `No delivery with id ${deliveryId}.`)
      return fail('delivery.not_dead', `Delivery ${deliveryId} is ${found.status}; only dead deliveries can be replayed.`)
    }
    dispatcher.wake()
    return delivery(deliveryId)
  }

  /** Renders the body a journey node would send for the given context, without sending it. */
  async function preview(webhookId: string, raw: unknown): Promise<Result<WebhookPreview, WebhookErrorCode>> {
    const record = await store.getWebhook(webhookId)
    if (record === null) return notFound(webhookId)
    const parsed = WebhookPreviewInput.safeParse(raw)
    if (!parsed.success) return invalid(parsed.error)
    const input = parsed.data
    const payload = await journeyPayload(
      { id: 'preview', params: input.params, customParams: input.customParams, context: input.context, createdAt: clock.now(), body: input.body },
      record.name,
      renderer.render,
    )
    if (!payload.ok) return fail('webhook.template_error', payload.error)
    const { contentType, body } = encodePayload(record.config.encoding, payload.text)
    return ok({ contentType, url: endpointUrl({ url: record.config.url, query: maskValues(record.config.querySealed) }), body })
  }

  async function alerts(webhookId: string | null = null, opts: { limit?: number } = {}): Promise<WebhookAlertView[]> {
    const names = new Map((await store.listWebhooks()).map((w) => [w.id, w.name]))
    const limit = Math.min(500, Math.max(1, Math.floor(opts.limit ?? 50)))
    return (await store.alerts(webhookId, limit)).map((a) => toAlertView(a, names.get(a.webhookId) ?? a.webhookId))
  }

  return {
    create,
    update,
    get,
    list,
    remove,
    resume,
    test,
    enqueue,
    enqueuing,
    emitAccountEvent,
    emitAccountEvents,
    emittingAccountEvents,
    deliveries,
    delivery,
    replay,
    preview,
    alerts,
    /** Claims due deliveries and sends them; resolves when the requests it started have finished. */
    tick: dispatcher.tick,
    start: dispatcher.start,
    /** Stops polling; resolves when the requests in flight have finished. */
    stop: dispatcher.stop,
    /** Stops, then closes the HTTP connection pool. */
    async close(): Promise<void> {
      await dispatcher.stop()
      await transport.close()
    },
    inflight: dispatcher.inflight,
  }
}

export type WebhookService = Awaited<ReturnType<typeof createWebhookService>>
