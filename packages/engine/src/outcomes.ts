import type { IngestedEvent } from '@switchyard/schema'
import type { HistoryRecord } from './records'

/** What `<channel>.sent` needs of a message job. */
export interface SentJob {
  id: string
  channel: string
  context: { user: { id: string } }
}

/**
 * The journal event of a provider's acceptance: `<channel>.sent`, with an id derived from the
 * message id so that a repeated report (a send retried after a crash) is stored once.
 */
export function sentEvent(job: SentJob, now: number, extra: Record<string, unknown> = {}): IngestedEvent {
  // The message id first and set again after the spread: \`{ ...extra, messageId }\` is V8's slow path on Node 20.
  const properties: Record<string, unknown> = { messageId: job.id, ...extra }
  properties.messageId = job.id
  return { messageId: `sent:${job.id}`, type: 'track', userId: job.context.user.id, event: `${job.channel}.sent`, properties, timestamp: now, receivedAt: now }
}

/** What an outcome row needs of a job: the run and node it came from. */
export interface OutcomeJob {
  context: { runId: string; nodeId: string; journey: { id: string } }
}

/** A history row about a job, written by the relay rather than a transition. */
export interface JobOutcome {
  job: OutcomeJob
  kind: 'message' | 'webhook'
  messageId: string | null
  detail: Record<string, unknown>
}

/** What a relay batch hands back: each claimed job done or kept until a time, with its outcome row if any. */
export interface OutboxSettlement {
  complete: { id: string; outcome?: JobOutcome }[]
  defer: { id: string; availableAt: number; outcome?: JobOutcome }[]
}

/** An outcome row has no outlet: the node's own row, written when it ran, has it. */
export function outcomeRow(o: JobOutcome, at: number): HistoryRecord {
  return { runId: o.job.context.runId, journeyId: o.job.context.journey.id, at, nodeId: o.job.context.nodeId, kind: o.kind, outlet: null, messageId: o.messageId, detail: o.detail }
}
