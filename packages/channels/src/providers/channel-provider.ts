import type { MessageJob, ProviderKind } from '@switchyard/schema'
import type { RenderedMessage } from '../render/render-message'

/**
 * What a provider answers for one message. `retryable` says whether the same message may succeed
 * later (network, 5xx, 429) or never will as it is (4xx, no address, invalid content).
 */
export type SendResult =
  | { ok: true; providerMessageId: string | null }
  | { ok: false; retryable: boolean; reason: string }

/** The one interface every adapter implements; the service records what it answers. */
export interface ChannelProvider {
  readonly kind: ProviderKind
  send(rendered: RenderedMessage, job: MessageJob): Promise<SendResult>
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause: unknown = err.cause
    const detail = cause instanceof Error && cause.message !== err.message ? ` (${cause.message})` : ''
    return `${err.message}${detail}`.slice(0, 500)
  }
  return String(err).slice(0, 500)
}
