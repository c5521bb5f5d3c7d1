import { crashPoint, type Engine, type OutboxClaim, type OutboxSettlement } from '@switchyard/engine'
import { SEND_BACKOFF } from '@switchyard/channels'
import { backoffDelay } from '@switchyard/schema'
import type { IngestedEvent, MessageJob, WebhookJob } from '@switchyard/schema'
import type { Logger } from './log'

/** A row for the run's history about a job, written without an outlet. */
export interface JobOutcome {
  kind: 'message' | 'webhook'
  messageId: string | null
  detail: Record<string, unknown>
}

/**
 * A handler's answer for one job: done (void, or with the outcome row and journal events it
 * learnt, which the relay writes with the rest of the batch), keep the job and try again at
 * `retryAt` (ms epoch; `outcome`, a hold and why, is recorded in the same transaction as the
 * wait), or `error`: it could not be handed on now, and is tried again after the send backoff.
 */
export type HandlerResult = void | { retryAt: number; outcome?: JobOutcome } | { outcome: JobOutcome; events?: IngestedEvent[] } | { error: string }

/**
 * Where committed side effects go, a batch of claimed jobs of one kind at a time; the answers
 * come back in the jobs' order. Each handler must be idempotent by job id: a crash may repeat one.
 */
export interface OutboxHandlers {
  message?(jobs: readonly MessageJob[]): Promise<HandlerResult[]>
  webhook?(jobs: readonly WebhookJob[]): Promise<HandlerResult[]>
}

/**
 * Moves committed outbox rows to their handlers. A row is removed only after its handler
 * returned, so a crash in between hands it over again (at-least-once, de-duplicated by id).
 */
export class OutboxDispatcher {
  private running = false
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private readonly inFlight = new Set<string>()

  constructor(
    private readonly engine: Engine,
    private readonly handlers: OutboxHandlers,
    private readonly log: Logger,
    private readonly options: { idleMs?: number; batch?: number } = {},
  ) {}

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.running = false
    this.wake?.()
    await this.loop
  }

  /** Hands over everything pending now; for tests and for shutdown. */
  async drain(): Promise<number> {
    let total = 0
    for (;;) {
      const n = (await this.pass('message')) + (await this.pass('webhook'))
      total += n
      if (n === 0) return total
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let n = 0
      try {
        n = (await this.pass('message')) + (await this.pass('webhook'))
      } catch (error) {
        this.log.error('outbox dispatch failed', { error: error instanceof Error ? error.message : String(error) })
      }
      if (n === 0) await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.options.idleMs ?? 50)
        this.wake = () => {
          clearTimeout(t)
          resolve()
        }
      })
    }
  }

  /** The kind's handler over the batch; a job it has no handler for waits for one (a server with it wired). */
  private async handle(kind: OutboxClaim['kind'], claims: readonly OutboxClaim[]): Promise<HandlerResult[]> {
    const jobs = claims.map((c) => c.job)
    if (kind === 'message' && this.handlers.message) return this.handlers.message(jobs.filter((j): j is MessageJob => j.kind === 'message'))
    if (kind === 'webhook' && this.handlers.webhook) return this.handlers.webhook(jobs.filter((j): j is WebhookJob => j.kind === 'webhook'))
    return claims.map(() => ({ error: `no handler for ${kind} jobs` }))
  }

  private async pass(kind: OutboxClaim['kind']): Promise<number> {
    const handler = kind === 'message' ? this.handlers.message : this.handlers.webhook
    if (!handler) return 0
    const claims = (await this.engine.claimOutbox(kind, this.options.batch ?? 200)).filter((c) => !this.inFlight.has(c.id))
    if (claims.length === 0) return 0
    crashPoint('after-outbox-commit-before-send')
    const started = performance.now()
    const settlement: OutboxSettlement = { complete: [], defer: [] }
    const events: IngestedEvent[] = []
    let failed = 0
    for (const claim of claims) this.inFlight.add(claim.id)
    let results: HandlerResult[]
    try {
      results = await this.handle(kind, claims)
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
        const retryAt = this.engine.clock.now() + backoffDelay(claim.attempts, SEND_BACKOFF)
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
    // The batch's journal events (`<channel>.sent`, `.failed`; ids derived from the message id, so
    // a batch redone after a crash stores them once) go first, then every outcome row, completion
    // and deferral in one transaction. A crash between them hands the whole batch over again.
    if (events.length > 0) await this.engine.ingest(events)
    crashPoint('relay-batch-before-settle')
    await this.engine.settleOutbox(settlement)
    const done = settlement.complete.length
    // One line per batch at info; each message's own line is debug, each failure warn.
    this.log.info('outbox batch handled', { kind, claimed: claims.length, done, deferred: settlement.defer.length - failed, failed, durationMs: Math.round(performance.now() - started) })
    return done
  }
}
