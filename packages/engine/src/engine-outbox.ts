import { ActionData, type IngestedEvent } from '@switchyard/schema'
import { coalesce, type JoinedWrite } from '@switchyard/storage'
import type { Clock } from './clock'
import { EngineReads } from './engine-reads'
import type { IngestResult } from './journal-writer'
import { outcomeRow, sentEvent, type JobOutcome, type OutboxSettlement, type OutcomeJob, type SentJob } from './outcomes'
import type { HistoryRecord } from './records'
import type { OutboxClaim, OutboxSettleRows, StoredOutboxClaim } from './store'

/** Journey versions whose message fields the relay keeps in memory (the oldest read goes first). */
const TEMPLATE_VERSIONS = 256

function isWhole(claim: StoredOutboxClaim): claim is OutboxClaim {
  return claim.job.kind !== 'message' || claim.job.message !== undefined
}

/**
 * The engine's outbox side, which the relay uses: claiming committed side effects, settling a
 * batch's outcomes, and what delivery learns later (a `sent` event, an attempt's history row).
 * None of it takes the engine's lock, so an engine whose journal is applied elsewhere relays too.
 */
export abstract class EngineOutbox extends EngineReads {
  abstract readonly clock: Clock
  private readonly outboxListeners = new Set<() => void>()

  abstract ingest(events: IngestedEvent[]): Promise<IngestResult>
  /** Journal events with a relay batch's outcome rows, in one transaction. */
  protected abstract ingestSettling(events: IngestedEvent[], rows: OutboxSettleRows): Promise<IngestResult>

  /** Called after a commit that queued outbox rows, so a waiting relay wakes at once. */
  onOutbox(listener: () => void): () => void {
    this.outboxListeners.add(listener)
    return () => this.outboxListeners.delete(listener)
  }

  /** The engine that applies this journal elsewhere committed outbox rows: a waiting relay here wakes. */
  outboxElsewhere(): void {
    this.outboxQueued()
  }

  protected outboxQueued(): void {
    for (const l of this.outboxListeners) l()
  }

  /**
   * Committed side effects of a kind that are due now, each job whole: a message job stored
   * without its fields gets those of its journey version's node. A job whose version is gone
   * (its journey was deleted between the claim's read and this) is completed unsent, as the
   * deletion does with the rest of the journey's queued messages.
   */
  async claimOutbox(kind: OutboxClaim['kind'], limit: number): Promise<OutboxClaim[]> {
    const claims = await this.store.claimOutbox(kind, limit, this.clock.now())
    const whole: OutboxClaim[] = []
    const orphaned: string[] = []
    for (const claim of claims) {
      const { job } = claim
      if (job.kind === 'message' && job.message === undefined) {
        const { id, version } = job.context.journey
        // From memory without an await: a batch's jobs are mostly of one version.
        job.message = (this.templateCache.get(`${id}@${version}`) ?? (await this.loadTemplates(id, version)))?.get(job.context.nodeId)
      }
      if (isWhole(claim)) whole.push(claim)
      else orphaned.push(claim.id)
    }
    if (orphaned.length > 0) await this.store.completeOutbox(orphaned)
    return whole
  }

  /** Journey version -> its action nodes' fields, which a version never changes. */
  private readonly templateCache = new Map<string, Map<string, Record<string, unknown>>>()

  private async loadTemplates(journeyId: string, version: number): Promise<Map<string, Record<string, unknown>> | null> {
    const v = await this.store.getVersion(journeyId, version)
    if (v === null) return null
    const fields = new Map<string, Record<string, unknown>>()
    for (const node of v.graph.nodes) {
      const data = node.type === 'action' ? ActionData.safeParse(node.data) : null
      if (data?.success) fields.set(node.id, data.data.message)
    }
    if (this.templateCache.size >= TEMPLATE_VERSIONS) this.templateCache.delete(this.templateCache.keys().next().value as string)
    this.templateCache.set(`${journeyId}@${version}`, fields)
    return fields
  }

  /**
   * Keeps an outbox row until `availableAt`. With `outcome` (a hold and its reason), the run's
   * history gets that row in the same transaction, so a held job is never held unrecorded.
   */
  deferOutbox(id: string, availableAt: number, outcome?: JobOutcome): Promise<void> {
    return this.store.deferOutbox(id, availableAt, outcome && outcomeRow(outcome, this.clock.now()))
  }

  /**
   * A relay batch's outcomes (see `OutboxSettlement`), the journal events they produced and the
   * rows other stores write about the same sends, in one transaction (see `JournalWriter.settle`).
   */
  async settleOutbox(s: OutboxSettlement, events: IngestedEvent[] = [], joined: readonly JoinedWrite[] = []): Promise<void> {
    const now = this.clock.now()
    const history = [...s.complete, ...s.defer].flatMap((c) => (c.outcome ? [outcomeRow(c.outcome, now)] : []))
    await this.ingestSettling(events, { complete: s.complete.map((c) => c.id), defer: s.defer, history, joined })
  }

  completeOutbox(ids: string[]): Promise<void> {
    return this.store.completeOutbox(ids)
  }

  /**
   * A provider accepted a message: `<channel>.sent` goes into the journal like any event, with
   * an id derived from the message id so a repeated report is stored once.
   */
  async messageSent(job: SentJob, extra: Record<string, unknown> = {}): Promise<void> {
    await this.ingest([sentEvent(job, this.clock.now(), extra)])
  }

  /** Adds a row to a run's history from outside a transition (a delivery attempt, a send result). */
  async recordOutcome(job: OutcomeJob, kind: 'message' | 'webhook', messageId: string | null, detail: Record<string, unknown>): Promise<void> {
    await this.appendOutcome(outcomeRow({ job, kind, messageId, detail }, this.clock.now()))
  }

  /** Outcome rows recorded in the same turn (a burst of webhook attempts) share one transaction. */
  private readonly appendOutcome = coalesce(async (rows: HistoryRecord[]) => {
    await this.store.appendHistory(rows)
    return rows.map(() => undefined)
  })
}
