import type { IngestedEvent } from '@switchyard/schema'

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
  return { messageId: `sent:${job.id}`, type: 'track', userId: job.context.user.id, event: `${job.channel}.sent`, properties: { ...extra, messageId: job.id }, timestamp: now, receivedAt: now }
}
