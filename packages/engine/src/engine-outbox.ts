import type { IngestedEvent } from '@switchyard/schema'
import { coalesce, type JoinedWrite } from '@switchyard/storage'
import type { Clock } from './clock'
import { EngineReads } from './engine-reads'
import type { IngestResult } from './journal-writer'
import { outcomeRow, sentEvent, type JobOutcome, type OutboxSettlement, type OutcomeJob, type SentJob } from './outcomes'
import type { HistoryRecord } from './records'
import type { OutboxClaim, OutboxSettleRows } from './store'

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

  /** Committed side effects of a kind that are due now. */
  claimOutbox(kind: OutboxClaim['kind'], limit: number): Promise<OutboxClaim[]> {
    return this.store.claimOutbox(kind, limit, this.clock.now())
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
