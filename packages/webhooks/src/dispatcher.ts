import { createHash } from 'node:crypto'
import type { SecretBox } from '@switchyard/secrets'
import { coalesce } from '@switchyard/storage'
import type { WebhookAlertView, WebhookAttemptView, WebhookJob } from '@switchyard/schema'
import { type BreakerOptions, afterAttempt } from './breaker'
import { deliveryRequest } from './delivery-request'
import { openEndpoint } from './endpoint'
import type { WebhookLogger } from './log'
import { type RenderTemplate, batchPayload, journeyPayload } from './payload'
import type { Transport, TransportResult } from './transport'
import { type Verdict, judge } from './verdict'
import { toAlertView } from './views'
import type { BreakerChange, ClaimPlanner, ClaimedUnit as Unit, DeliveryRecord, SettledMember, Settlement, WebhookRecord, WebhookStore } from './webhook-store'

/** What `onAttempt` hears: enough for the server to add a `webhook` row to the user's run history. */
export interface AttemptEvent {
  delivery: {
    id: string
    webhookId: string
    source: 'journey' | 'account'
    /** The journey job (run, node, user), null for an account event. */
    job: WebhookJob | null
    /** The delivery's status after this attempt. */
    status: 'delivered' | 'failed' | 'dead'
    batchId: string | null
    nextAttemptAt: string | null
  }
  attempt: WebhookAttemptView
}

export interface DispatcherDeps {
  store: WebhookStore
  secretBox: SecretBox
  clock: { now(): number }
  transport: Transport
  renderTemplate: RenderTemplate
  log: WebhookLogger
  concurrency: number
  batchSize: number
  breaker: BreakerOptions
  random: () => number
  /**
   * The shortest wait between looks while deliveries are due but none could start (an endpoint at
   * its concurrency, a paused or disabled webhook). Otherwise the dispatcher is woken: by an
   * enqueue or a finished send, and by a timer set for the soonest delivery due.
   */
  pollIntervalMs: number
  /** Claims older than this are taken back every minute (processes sharing one database); null: never. */
  staleClaimMs: number | null
  onAttempt?: ((delivery: AttemptEvent['delivery'], attempt: WebhookAttemptView) => void) | undefined
  alert?: ((alert: WebhookAlertView) => void | Promise<void>) | undefined
  /** The reliability harness's crash points (a no-op unless armed by the environment). */
  crashPoint?: ((point: WebhookCrashPoint) => void) | undefined
}

/** The longest sleep with nothing due, alone on the database: every enqueue here wakes the dispatcher. */
const IDLE_MAX_MS = 60_000
/** The same with other processes on the database, which enqueue and fail without telling this one. */
const SHARED_IDLE_MAX_MS = 1_000
const RECLAIM_EVERY_MS = 5_000

export type WebhookCrashPoint = 'webhook-before-send' | 'webhook-after-send-before-mark'

/** A batch's id: derived from its members, so it is the same on every retry of the same batch. */
export function batchIdOf(deliveryIds: readonly string[]): string {
  const digest = createHash('sha256').update([...deliveryIds].sort().join('\n')).digest('base64url')
  return `batch_${digest.slice(0, 32)}`
}

export function createDispatcher(deps: DispatcherDeps) {
  const { store, clock, log } = deps
  // The attempts that end in one turn (a burst of answers from a fast endpoint) settle in one transaction.
  const settleInBatch = coalesce((list: Settlement[]) => store.settleAll(list))
  const inflightByWebhook = new Map<string, number>()
  // The requests delivered in one turn (the answers one settlement wrote): one info line a webhook.
  const tellDelivered = coalesce(async (requests: { webhookId: string; deliveries: number; durationMs: number }[]) => {
    const byWebhook = new Map<string, { requests: number; deliveries: number; maxDurationMs: number }>()
    for (const r of requests) {
      const d = byWebhook.get(r.webhookId) ?? { requests: 0, deliveries: 0, maxDurationMs: 0 }
      byWebhook.set(r.webhookId, { requests: d.requests + 1, deliveries: d.deliveries + r.deliveries, maxDurationMs: Math.max(d.maxDurationMs, r.durationMs) })
    }
    for (const [webhookId, d] of byWebhook) log({ level: 'info', msg: 'webhook requests delivered', webhookId, ...d })
    return requests.map(() => undefined)
  })
  const running = new Set<Promise<void>>()
  let timer: NodeJS.Timeout | null = null
  let started = false

  const inflight = (id: string) => inflightByWebhook.get(id) ?? 0
  const adjust = (id: string, by: number) => {
    const next = inflight(id) + by
    if (next <= 0) inflightByWebhook.delete(id)
    else inflightByWebhook.set(id, next)
  }

  /** Only never-tried activity deliveries form new batches, so a delivery's webhook-id never changes. */
  const batchable = (d: DeliveryRecord): boolean =>
    deps.batchSize > 1 && d.batchId === null && d.attempts === d.replayBase && d.job.kind === 'webhook' && d.job.body.kind === 'activity'

  /** Free request slots of an endpoint now: none while held, one probe after a pause's cool-off. */
  function slotsFor(webhook: WebhookRecord, now: number): number {
    if (!webhook.enabled || webhook.state === 'disabled') return 0
    if (webhook.state === 'paused') {
      // Half-open: after the cool-off, one request probes the endpoint.
      if (webhook.pausedUntil !== null && webhook.pausedUntil > now) return 0
      return inflight(webhook.id) === 0 ? 1 : 0
    }
    return Math.max(0, deps.concurrency - inflight(webhook.id))
  }

  function plannerAt(now: number): ClaimPlanner {
    return {
      limit: (webhook) => slotsFor(webhook, now) * deps.batchSize,
      plan(webhook, due, batches) {
        const slots = slotsFor(webhook, now)
        const units: Unit[] = []
        const openBatches = new Map<string, Unit>()
        for (const row of due) {
          if (row.batchId !== null) {
            const batchId = row.batchId
            if (units.length >= slots || units.some((u) => u.batchId === batchId)) continue
            units.push({ webhookId: webhook.id, batchId, members: batches.get(batchId) ?? [row] })
          } else if (batchable(row) && row.job.kind === 'webhook') {
            const key = row.job.context.workspace
            const open = openBatches.get(key)
            if (open !== undefined && open.members.length < deps.batchSize) {
              open.members.push(row)
            } else if (units.length < slots) {
              const unit: Unit = { webhookId: webhook.id, batchId: null, members: [row] }
              units.push(unit)
              openBatches.set(key, unit)
            }
          } else if (units.length < slots) {
            units.push({ webhookId: webhook.id, batchId: null, members: [row] })
          }
        }
        for (const unit of units) {
          if (unit.batchId === null && unit.members.length > 1) unit.batchId = batchIdOf(unit.members.map((m) => m.id))
        }
        return units
      },
    }
  }

  /**
   * Claims what is due: rows move to `delivering` before any byte is sent. One claim at a time in
   * this process, each unit counted in flight as soon as it is claimed, so the endpoints'
   * concurrency holds however many ticks run at once.
   */
  let claiming: Promise<unknown> = Promise.resolve()
  function claim(now: number): Promise<Unit[]> {
    const next = claiming.then(async () => {
      const units = await store.claimDue(now, plannerAt(now))
      for (const unit of units) adjust(unit.webhookId, 1)
      return units
    })
    claiming = next.catch(() => undefined)
    return next
  }

  async function send(unit: Unit): Promise<void> {
    const webhook = await store.getWebhook(unit.webhookId)
    if (webhook === null) return
    const opened = openEndpoint(webhook, deps.secretBox)
    if (!opened.ok) {
      await settle(unit, { kind: 'dead', status: null, error: opened.error, gone: false }, 0, false)
      return
    }
    const first = unit.members[0]
    if (first === undefined) return
    let text: string
    if (unit.members.length > 1) {
      const sources = unit.members.flatMap((m) => (m.job.kind === 'webhook' ? [m.job] : []))
      text = batchPayload(sources, webhook.name)
    } else if (first.job.kind === 'account') {
      text = JSON.stringify(first.job.body)
    } else {
      const payload = await journeyPayload(first.job, webhook.name, deps.renderTemplate)
      if (!payload.ok) {
        // The journey's template is at fault, not the endpoint: no request, no breaker count.
        await settle(unit, { kind: 'dead', status: null, error: payload.error, gone: false }, 0, false)
        return
      }
      text = payload.text
    }
    const messageId = unit.batchId ?? first.id
    const request = deliveryRequest(opened.endpoint, text, messageId, Math.floor(clock.now() / 1000))
    deps.crashPoint?.('webhook-before-send')
    const result: TransportResult = await deps.transport.send(request)
    deps.crashPoint?.('webhook-after-send-before-mark')
    const attemptInRound = first.attempts + 1 - first.replayBase
    const verdict = judge(result, attemptInRound, webhook.config.retry, clock.now(), deps.random)
    await settle(unit, verdict, result.durationMs, true)
  }

  /** Records the attempt on every member, moves them on, and updates the breaker, in one transaction. */
  async function settle(unit: Unit, verdict: Verdict, durationMs: number, countsForBreaker: boolean): Promise<void> {
    const now = clock.now()
    const error = verdict.kind === 'delivered' ? null : verdict.error
    const status: SettledMember['status'] = verdict.kind === 'delivered' ? 'delivered' : verdict.kind === 'retry' ? 'failed' : 'dead'
    const nextAttemptAt = verdict.kind === 'retry' ? now + verdict.delayMs : null
    const outcome = verdict.kind === 'delivered' ? 'success' : verdict.kind === 'dead' && verdict.gone ? 'gone' : 'failure'
    let raised: BreakerChange['alerts'] = []
    const breaker = (webhook: WebhookRecord): BreakerChange => {
      const next = afterAttempt(webhook, outcome, now, deps.breaker)
      raised = []
      if (next.opened) {
        raised.push({ kind: 'circuit_open', message: `${webhook.name} failed ${next.consecutiveFailures} times in a row; deliveries are paused until ${new Date(next.pausedUntil ?? now).toISOString()}.` })
      }
      if (outcome === 'gone' && webhook.state !== 'disabled') {
        raised.push({ kind: 'endpoint_gone', message: `${webhook.name} answered 410 Gone; it is disabled until it is saved again or a test passes.` })
      }
      return { patch: { state: next.state, pausedUntil: next.pausedUntil, consecutiveFailures: next.consecutiveFailures }, alerts: raised }
    }
    const members = unit.members.map((m) => ({ id: m.id, attempt: m.attempts + 1, status, nextAttemptAt }))
    const settled = await settleInBatch({
      webhookId: unit.webhookId,
      batchId: unit.batchId,
      at: now,
      httpStatus: verdict.status,
      durationMs,
      error,
      members,
      breaker: countsForBreaker ? breaker : null,
    })
    // Removed while the request was in flight: its deliveries went with it.
    if (settled === null) return
    const { webhook, alertIds } = settled
    const at = new Date(now).toISOString()
    const alerts: WebhookAlertView[] = raised.map((a, i) => ({ id: alertIds[i] ?? 0, webhookId: webhook.id, webhookName: webhook.name, kind: a.kind, message: a.message, at }))
    const events: AttemptEvent[] = unit.members.map((member) => ({
      delivery: {
        id: member.id,
        webhookId: unit.webhookId,
        source: member.source,
        job: member.job.kind === 'webhook' ? member.job : null,
        status,
        batchId: unit.batchId,
        nextAttemptAt: nextAttemptAt === null ? null : new Date(nextAttemptAt).toISOString(),
      },
      attempt: { attempt: member.attempts + 1, at, status: verdict.status, durationMs, error },
    }))
    // The requests delivered in one turn are one info line a webhook; each request and each
    // delivery is debug detail. A failure stays one warn line per delivery.
    const delivered = events.filter((e) => e.delivery.status === 'delivered').length
    if (delivered > 0) {
      void tellDelivered({ webhookId: unit.webhookId, deliveries: delivered, durationMs })
      log({ level: 'debug', msg: 'webhook request delivered', webhookId: unit.webhookId, ...(unit.batchId === null ? {} : { batchId: unit.batchId }), deliveries: delivered, status: verdict.status, durationMs })
    }
    for (const event of events) {
      log({
        level: event.delivery.status === 'delivered' ? 'debug' : 'warn',
        msg: `webhook delivery ${event.delivery.status}`,
        webhookId: unit.webhookId,
        deliveryId: event.delivery.id,
        ...(unit.batchId === null ? {} : { batchId: unit.batchId }),
        status: event.attempt.status,
        durationMs,
        ...(event.attempt.error === null ? {} : { error: event.attempt.error }),
      })
      try {
        deps.onAttempt?.(event.delivery, event.attempt)
      } catch (err) {
        log({ level: 'error', msg: 'onAttempt callback threw', deliveryId: event.delivery.id, error: errorText(err) })
      }
    }
    for (const alert of alerts) void notify(alert)
  }

  async function notify(alert: WebhookAlertView): Promise<void> {
    log({ level: 'warn', msg: `webhook alert: ${alert.kind}`, webhookId: alert.webhookId })
    if (deps.alert === undefined) return
    try {
      await deps.alert(alert)
      await store.alertNotified(alert.id, clock.now())
    } catch (err) {
      log({ level: 'error', msg: 'alert callback failed', webhookId: alert.webhookId, error: errorText(err) })
    }
  }

  /** Sends a unit; a bug here must not leave rows stuck in `delivering` until the next restart. */
  function run(unit: Unit): Promise<void> {
    const promise = send(unit)
      .catch(async (err: unknown) => {
        log({ level: 'error', msg: 'webhook dispatch failed', webhookId: unit.webhookId, error: errorText(err) })
        try {
          await settle(unit, { kind: 'retry', status: null, error: 'internal error', delayMs: 60_000 }, 0, false)
        } catch (inner) {
          log({ level: 'error', msg: 'could not release deliveries', webhookId: unit.webhookId, error: errorText(inner) })
        }
      })
      .finally(() => {
        adjust(unit.webhookId, -1)
        running.delete(promise)
        if (started) schedule(0)
      })
    running.add(promise)
    return promise
  }

  /** Counts every schedule, so a look that ends can tell whether a sooner one was asked for meanwhile. */
  let scheduled = 0
  function schedule(delayMs: number): void {
    if (!started) return
    if (timer !== null) clearTimeout(timer)
    scheduled++
    timer = setTimeout(() => {
      timer = null
      void look()
    }, delayMs)
  }

  /** One look: starts what is due; with nothing started, sleeps until the soonest delivery falls due. */
  async function look(): Promise<void> {
    const asked = scheduled
    let wait = deps.pollIntervalMs
    try {
      // Each started send looks again when it ends.
      if ((await startDue()).length > 0) return
      wait = await idleWait()
    } catch (err) {
      log({ level: 'error', msg: 'webhook tick failed', error: errorText(err) })
    }
    if (scheduled === asked) schedule(wait)
  }

  /**
   * Until the soonest waiting delivery is due (not sooner than the poll interval, for deliveries due
   * that could not start), and at most a minute; a second when processes share the database,
   * whose enqueues and claims left by a stopped process this one is not told of.
   */
  async function idleWait(): Promise<number> {
    const longest = deps.staleClaimMs === null ? IDLE_MAX_MS : SHARED_IDLE_MAX_MS
    const due = await store.nextDue()
    if (due === null) return longest
    return Math.min(longest, Math.max(deps.pollIntervalMs, due - clock.now()))
  }

  // How often this process looks for claims a stopped process left (PostgreSQL).
  let nextReclaimAt = 0
  /** Claims due deliveries and starts them within each endpoint's concurrency; answers the sends started. */
  async function startDue(): Promise<Promise<void>[]> {
    const now = clock.now()
    if (deps.staleClaimMs !== null && now >= nextReclaimAt) {
      nextReclaimAt = now + RECLAIM_EVERY_MS
      const taken = await store.recover(now, now - deps.staleClaimMs)
      if (taken > 0) log({ level: 'warn', msg: `re-queued ${taken} webhook deliveries a stopped process had claimed` })
    }
    const units = await claim(now)
    return units.map(run)
  }

  /** Claims due deliveries, starts them within each endpoint's concurrency, and resolves when those finish. */
  async function tick(): Promise<void> {
    await Promise.all(await startDue())
  }

  return {
    tick,
    /** Looks for due deliveries until `stop()`: at once after an enqueue or a finished send, else when the next falls due. */
    start(): void {
      if (started) return
      started = true
      schedule(0)
    },
    /** Stops looking and waits for the requests in flight. */
    async stop(): Promise<void> {
      started = false
      if (timer !== null) clearTimeout(timer)
      timer = null
      await Promise.all([...running])
    },
    wake(): void {
      schedule(0)
    },
    /** Requests in flight per webhook, for metrics and tests. */
    inflight(webhookId: string): number {
      return inflight(webhookId)
    },
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 300) : 'unknown error'
}
