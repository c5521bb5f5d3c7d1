import type { IngestedEvent, MessageJob, OutboxJob, WebhookJob } from '@switchyard/schema'
import { crashPoint } from './crash'
import type { Engine } from './engine'
import type { JobOutcome, OutboxSettlement } from './outcomes'
import type { OutboxClaim } from './store'
import { Sleeper } from './sleeper'
import type { JoinedWrite } from '@switchyard/storage'

/** A row for the run's history about a job, as a handler gives it: the relay adds the job. */
export type RelayOutcome = Omit<JobOutcome, 'job'>

/**
 * A handler's answer for one job: done (void, or with the outcome row and journal events it
 * learnt, which the relay writes with the rest of the batch), keep the job and try again at
 * `retryAt` (ms epoch; `outcome`, a hold and why, is recorded in the same transaction as the
 * wait), or `error`: it could not be handed on now, and is tried again after `retryDelay`.
 */
export type HandlerResult = void | { retryAt: number; outcome?: RelayOutcome } | { outcome: RelayOutcome; events?: IngestedEvent[] } | { error: string }

type JobOfKind<K extends OutboxJob['kind']> = Extract<OutboxJob, { kind: K }>

/**
 * Where committed side effects go: per job kind, a handler that takes a batch of claimed jobs and
 * answers per job, in order. Each must be idempotent by job id: a crash may repeat a batch.
 */
export type OutboxHandlers = { [K in OutboxJob['kind']]?: (jobs: readonly JobOfKind<K>[]) => Promise<HandlerResult[] | HandledBatch> }

/**
 * A handler's answer with the rows its own stores write about the batch (message results,
 * webhook deliveries, account events): the relay commits them with the batch's settlement.
 */
export interface HandledBatch {
  results: HandlerResult[]
  joined?: readonly JoinedWrite[]
}

/** What the relay logs: a line per batch at info, each failure at warn. */
export interface RelayLog {
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

export interface RelayOptions {
  /** Jobs claimed per batch and kind. Default 1,000: the engine's batch (1,000 events) queues up to that many, so the relay keeps up turn for turn. */
  batch?: number
  /** How long a job whose handler failed waits, by the attempts it has had. */
  retryDelay(attempts: number): number
  /**
   * Longest sleep with nothing due. Commits of this process wake the relay at once and deferred
   * rows at their time, so this only bounds how late rows committed by another process sharing
   * the database are seen. Default 1,000 ms.
   */
  maxIdleMs?: number
}

/** With rows due but none claimable (claimed by another process, or in flight here): look again after this. */
const CLAIMED_ELSEWHERE_MS = 100

/**
 * Moves committed outbox rows to their handlers, beside the engine's runner. It wakes when a
 * commit queues rows and when a deferred row falls due; each pass claims a batch per kind, hands
 * it to the kind's handler, then commits the batch's journal events, outcome rows, completions,
 * deferrals and the handler's joined writes in one transaction. A row is removed only in that
 * transaction, so a crash before it hands the batch over again (at-least-once, same ids).
 */
export class OutboxRelay {
  private running = false
  private loop: Promise<void> | null = null
  private readonly sleeper = new Sleeper()
  private woken = false
  private unsubscribe: (() => void) | null = null
  private readonly inFlight = new Set<string>()

  constructor(
    private readonly engine: Engine,
    private readonly handlers: OutboxHandlers,
    private readonly log: RelayLog,
    private readonly options: RelayOptions,
  ) {}

  start(): void {
    if (this.running) return
    this.running = true
    this.unsubscribe = this.engine.onOutbox(() => {
      this.woken = true
      this.sleeper.wake()
    })
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.running = false
    this.unsubscribe?.()
    this.sleeper.wake()
    await this.loop
  }

  /** Hands over everything due now; for tests and for shutdown. Answers how many jobs were done. */
  async drain(): Promise<number> {
    let total = 0
    for (;;) {
      const [message, webhook] = [await this.pass('message'), await this.pass('webhook')]
      total += message.done + webhook.done
      if (message.done + webhook.done === 0) return total
    }
  }

  private async run(): Promise<void> {
    const maxIdle = this.options.maxIdleMs ?? 1000
    while (this.running) {
      this.woken = false
      let claimed = 0
      try {
        claimed = (await this.pass('message')).claimed + (await this.pass('webhook')).claimed
      } catch (error) {
        this.log.error('outbox relay failed', { error: error instanceof Error ? error.message : String(error) })
        await this.sleeper.sleep(1000)
        continue
      }
      if (claimed > 0 || this.woken) {
        // Let HTTP handlers run between batches.
        await new Promise((resolve) => setImmediate(resolve))
        continue
      }
      let wait = maxIdle
      try {
        const next = await this.engine.nextOutboxDue()
        const now = this.engine.clock.now()
        if (next !== null) wait = next <= now ? CLAIMED_ELSEWHERE_MS : Math.min(maxIdle, next - now)
      } catch (error) {
        this.log.error('outbox relay could not read the next due time', { error: error instanceof Error ? error.message : String(error) })
      }
      if (!this.woken) await this.sleeper.sleep(wait)
    }
  }

  /** The kind's handler over the batch; a job without a handler waits for a server that has one. */
  private async handle(kind: OutboxClaim['kind'], claims: readonly OutboxClaim[]): Promise<HandlerResult[] | HandledBatch> {
    const jobs = claims.map((c) => c.job)
    const { message, webhook } = this.handlers
    if (kind === 'message' && message) return message(jobs.filter((j): j is MessageJob => j.kind === 'message'))
    if (kind === 'webhook' && webhook) return webhook(jobs.filter((j): j is WebhookJob => j.kind === 'webhook'))
    return claims.map(() => ({ error: `no handler for ${kind} jobs` }))
  }

  private async pass(kind: OutboxClaim['kind']): Promise<{ claimed: number; done: number }> {
    if (!this.handlers[kind]) return { claimed: 0, done: 0 }
    const claims = (await this.engine.claimOutbox(kind, this.options.batch ?? 1000)).filter((c) => !this.inFlight.has(c.id))
    if (claims.length === 0) return { claimed: 0, done: 0 }
    crashPoint('after-outbox-commit-before-send')
    const started = performance.now()
    const settlement: OutboxSettlement = { complete: [], defer: [] }
    const events: IngestedEvent[] = []
    let failed = 0
    for (const claim of claims) this.inFlight.add(claim.id)
    let results: HandlerResult[]
    let joined: readonly JoinedWrite[] = []
    try {
      const handled = await this.handle(kind, claims)
      if (Array.isArray(handled)) results = handled
      else ({ results, joined = [] } = handled)
    } catch (error) {
      // A handler should answer per job; a throw keeps the whole batch for after the backoff.
      results = claims.map(() => ({ error: error instanceof Error ? error.message : String(error) }))
    } finally {
      for (const claim of claims) this.inFlight.delete(claim.id)
    }
    claims.forEach((claim, i) => {
      const result = results[i]
      if (result && 'error' in result) {
        failed++
        const retryAt = this.engine.clock.now() + this.options.retryDelay(claim.attempts)
        settlement.defer.push({ id: claim.id, availableAt: retryAt })
        this.log.warn('outbox handler failed; will retry', { id: claim.id, kind, retryAt: new Date(retryAt).toISOString(), error: result.error })
      } else if (result && 'retryAt' in result) {
        // A job kept for later waits in its outbox row, durable across restarts, not read again until due.
        settlement.defer.push({ id: claim.id, availableAt: result.retryAt, ...(result.outcome ? { outcome: { job: claim.job, ...result.outcome } } : {}) })
      } else {
        settlement.complete.push({ id: claim.id, ...(result ? { outcome: { job: claim.job, ...result.outcome } } : {}) })
        if (result?.events) events.push(...result.events)
      }
    })
    // One transaction for the whole batch: its journal events (`<channel>.sent`, `.failed`), every
    // outcome row, completion and deferral, and the handler's own rows (message results, webhook
    // deliveries). A crash before it hands the whole batch over again, to be sent again under the
    // same ids; the events' ids derive from the message id, so the journal stores them once.
    crashPoint('relay-batch-before-settle')
    await this.engine.settleOutbox(settlement, events, joined)
    const done = settlement.complete.length
    // One line per batch at info; each message's own line is debug, each failure warn.
    this.log.info('outbox batch handled', { kind, claimed: claims.length, done, deferred: settlement.defer.length - failed, failed, durationMs: Math.round(performance.now() - started) })
    return { claimed: claims.length, done }
  }
}
