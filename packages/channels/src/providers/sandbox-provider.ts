import type { ChannelProvider } from './channel-provider'

/**
 * Accepts every message without sending it anywhere. The service records it in channel_messages
 * like any other, and `sandbox.emit` makes up its receipts.
 */
export function createSandboxProvider(): ChannelProvider {
  return {
    kind: 'sandbox',
    send: async (_rendered, job) => ({ ok: true, providerMessageId: `sandbox_${job.id}` }),
  }
}
