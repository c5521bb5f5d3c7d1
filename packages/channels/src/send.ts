import type { MessageJob } from '@switchyard/schema'
import type { Log } from './clock'
import { errorMessage, type ChannelProvider, type SendResult } from './providers/channel-provider'
import type { TemplateRenderer } from './render/liquid'
import { checkRendered, renderMessage, renderMessageNow, type RenderedMessage, type RenderResult } from './render/render-message'
import type { MessageAttempt, MessageResult, MessageStore } from './store/message-store'

/** The provider id recorded for messages sent through the built-in sandbox. */
export const SANDBOX_PROVIDER_ID = 'sandbox'

/** Requests one provider has in flight at once from one batch: enough to hide latency, few enough not to be throttled. */
export const PROVIDER_CONCURRENCY = 32

export type SendOutcome =
  | { ok: true; providerId: string; providerMessageId: string | null; rendered: RenderedMessage }
  | { ok: false; retryable: boolean; reason: string; providerId?: string; rendered?: RenderedMessage; attempts: number }

export type ResolvedProvider = { ok: true; id: string; kind: string; adapter: ChannelProvider } | { ok: false; id: string; reason: string }

export interface SenderDeps {
  messages: MessageStore
  /** The provider a job goes through; asked once per distinct (provider id, channel) in a batch. */
  resolveProvider(job: MessageJob): Promise<ResolvedProvider>
  renderer: TemplateRenderer
  log: Log
}

/** An attempt's `sending` row; its content goes with its result. */
const attemptOf = (job: MessageJob, providerId: string, providerKind: string, rendered: RenderedMessage | null): Omit<MessageAttempt, 'content'> => ({
  id: job.id,
  providerId,
  providerKind,
  channel: job.channel,
  userId: job.context.user.id,
  journeyId: job.context.journey.id,
  runId: job.context.runId,
  nodeId: job.context.nodeId,
  recipient: rendered?.to ?? null,
})

const providerKey = (job: MessageJob) => `${job.providerId ?? ''}\n${job.channel}`

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T
      await fn(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
}

/** A batch's outcomes in the jobs' order, and the message rows that record them, still to be written. */
export interface SentBatch {
  outcomes: SendOutcome[]
  results: MessageResult[]
}

/**
 * Sends a batch of action nodes' messages: one read of what was sent before, each provider
 * resolved once, every attempt recorded as `sending` in one transaction, the provider calls made
 * concurrently (at most PROVIDER_CONCURRENCY per provider). The results are answered for the
 * caller to write (`finish`, or `finishing` inside the relay's settlement). A crash before they
 * are written leaves rows `sending`; the outbox hands the jobs over again and they are sent again
 * under the same ids; a message recorded `sent` is not sent twice.
 */
export function createSender(deps: SenderDeps): (jobs: readonly MessageJob[]) => Promise<SentBatch> {
  const { messages, renderer, log } = deps
  return async (jobs) => {
    const out: SendOutcome[] = new Array<SendOutcome>(jobs.length)
    const before = await messages.getMany(jobs.map((j) => j.id))
    const begun: Omit<MessageAttempt, 'content'>[] = []
    const results: MessageResult[] = []
    const ready: { i: number; job: MessageJob; provider: { id: string; adapter: ChannelProvider }; rendered: RenderedMessage }[] = []
    const failed = (i: number, job: MessageJob, reason: string, retryable: boolean, providerId: string, rendered?: RenderedMessage) => {
      results.push({ id: job.id, error: reason, content: rendered ? rendered.fields : null })
      out[i] = { ok: false, retryable, reason, providerId, attempts: (before.get(job.id)?.attempts ?? 0) + 1, ...(rendered ? { rendered } : {}) }
      log('warn', 'message failed', { messageId: job.id, channel: job.channel, providerId, retryable, reason })
    }

    // Each provider once, then every job in order without an await, but for the renders that need a thread.
    const firstJobOf = new Map<string, MessageJob>()
    for (const job of jobs) if (!firstJobOf.has(providerKey(job))) firstJobOf.set(providerKey(job), job)
    const resolved = new Map(await Promise.all([...firstJobOf].map(async ([key, job]) => [key, await deps.resolveProvider(job)] as const)))
    const prepared = (i: number, job: MessageJob, provider: Extract<ResolvedProvider, { ok: true }>, rendered: RenderResult) => {
      if (!rendered.ok) {
        begun.push(attemptOf(job, provider.id, provider.kind, null))
        return failed(i, job, rendered.reason, false, provider.id)
      }
      begun.push(attemptOf(job, provider.id, provider.kind, rendered.rendered))
      ready.push({ i, job, provider, rendered: rendered.rendered })
    }
    const slow: Promise<void>[] = []
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i] as MessageJob
      const existing = before.get(job.id)
      if (existing?.status === 'sent') {
        // The outbox delivers at least once: a message already accepted is not sent again.
        const stored = checkRendered(existing.channel, existing.recipient, existing.content)
        if (stored.ok) {
          out[i] = { ok: true, providerId: existing.providerId, providerMessageId: existing.providerMessageId, rendered: stored.rendered }
          continue
        }
      }
      const provider = resolved.get(providerKey(job)) as ResolvedProvider
      if (!provider.ok) {
        begun.push(attemptOf(job, provider.id, 'unknown', null))
        failed(i, job, provider.reason, false, provider.id)
        continue
      }
      const now = renderMessageNow(job, renderer)
      if (now !== null) prepared(i, job, provider, now)
      else slow.push(renderMessage(job, renderer).then((r) => prepared(i, job, provider, r)))
    }
    await Promise.all(slow)
    await messages.begin(begun)

    const byProvider = new Map<string, typeof ready>()
    for (const r of ready) {
      const group = byProvider.get(r.provider.id)
      if (group) group.push(r)
      else byProvider.set(r.provider.id, [r])
    }
    await Promise.all(
      [...byProvider.values()].map((group) =>
        eachLimited(group, PROVIDER_CONCURRENCY, async ({ i, job, provider, rendered }) => {
          let result: SendResult
          try {
            result = await provider.adapter.send(rendered, job)
          } catch (err) {
            // An adapter should answer, not throw: this is a bug, logged loudly, and retried.
            log('error', 'provider threw', { messageId: job.id, providerId: provider.id, error: errorMessage(err) })
            result = { ok: false, retryable: true, reason: `provider error: ${errorMessage(err)}` }
          }
          if (!result.ok) return failed(i, job, result.reason, result.retryable, provider.id, rendered)
          results.push({ id: job.id, providerMessageId: result.providerMessageId, content: rendered.fields })
          out[i] = { ok: true, providerId: provider.id, providerMessageId: result.providerMessageId, rendered }
          log('debug', 'message sent', { messageId: job.id, channel: job.channel, providerId: provider.id, providerMessageId: result.providerMessageId })
        }),
      ),
    )
    return { outcomes: out, results }
  }
}
