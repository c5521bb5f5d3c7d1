import { CHANNEL_LABELS, type Channel } from '@switchyard/schema'
import { create } from 'zustand'
import type { ProviderView } from '../api/schemas'

/** The workspace's channel providers, loaded with the editor; null until known (then nothing is warned). */
export const useProviders = create<{ providers: ProviderView[] | null }>(() => ({ providers: null }))

export function setProviders(providers: ProviderView[] | null): void {
  useProviders.setState({ providers })
}

/**
 * Why a message on `channel` would not reach anyone real: no provider but the sandbox is set up
 * for the channel, so it would be "sent" to the sandbox. Null when a real provider exists.
 */
export function deliveryWarning(channel: Channel | null, providers: readonly ProviderView[] | null): string | null {
  if (channel === null || providers === null) return null
  if (providers.some((p) => p.channel === channel && p.kind !== 'sandbox')) return null
  return `No ${CHANNEL_LABELS[channel]} provider is set up: messages go to the sandbox, not to users.`
}
