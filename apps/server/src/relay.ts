import { OutboxRelay, type Engine, type OutboxHandlers, type RelayLog, type RelayOptions } from '@switchyard/engine'
import { SEND_BACKOFF } from '@switchyard/channels'
import { backoffDelay } from '@switchyard/schema'

/** The engine's outbox relay with the server's handlers; a failed hand-over waits as a failed send does. */
export function outboxRelay(engine: Engine, handlers: OutboxHandlers, log: RelayLog, options: Partial<RelayOptions> = {}): OutboxRelay {
  return new OutboxRelay(engine, handlers, log, { retryDelay: (attempts) => backoffDelay(attempts, SEND_BACKOFF), ...options })
}
