import type { Engine, OutboxHandlers } from '@switchyard/engine'
import { engineRunner } from './runner'
import type { Integrations } from './integrations'
import type { Logger } from './log'
import { outboxRelay } from './relay'
import type { RetentionTask } from './retention'

export interface WorkOptions {
  engine: Engine
  handlers: OutboxHandlers
  integrations: Integrations
  retention: RetentionTask
  log: Logger
  /** Longest sleep of the relay with nothing claimable: short where other processes commit outbox rows too. */
  relayMaxIdleMs: number
  /** False when the engine thread applies the journal and fires timers (SQLite); this side then relays and prunes. */
  applies: boolean
}

export interface Work {
  stop(): Promise<void>
}

/**
 * What a process does besides HTTP: apply the journal and fire timers (the runner, unless the
 * engine thread does), hand committed side effects to their senders (the relay), prune old rows,
 * and run the integrations' own loops (the webhook dispatcher). `stop()` ends them in the order
 * that loses nothing.
 */
export function startWork(o: WorkOptions): Work {
  const runner = o.applies ? engineRunner(o.engine, o.log) : null
  const relay = outboxRelay(o.engine, o.handlers, o.log, { maxIdleMs: o.relayMaxIdleMs })
  runner?.start()
  relay.start()
  o.retention.start()
  for (const i of o.integrations) i.start?.()
  return {
    async stop() {
      await o.retention.stop()
      await runner?.stop()
      await relay.stop()
      for (const i of o.integrations) await i.stop?.()
    },
  }
}
