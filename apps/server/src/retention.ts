import type { Clock, Retention, RetentionPass, RetentionPolicy } from '@switchyard/engine'
import type { Integrations } from './integrations'
import type { Logger } from './log'

/** How often a retention pass runs. */
export const RETENTION_EVERY_MS = 60_000

/**
 * Runs a retention pass every minute in the server process. A pass deletes in small
 * transactions and yields between them, so ingest and the engine go on while it works.
 */
export class RetentionTask {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<RetentionPass | null> | null = null

  constructor(
    private readonly retention: Retention,
    private readonly policy: RetentionPolicy,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** The integrations' own rows (sent messages) follow the history's retention. */
    private readonly integrations: Integrations = [],
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.runOnce(), RETENTION_EVERY_MS)
    this.timer.unref()
  }

  /** One pass now (a pass already under way is waited for instead); logs a line when it deleted something. */
  runOnce(): Promise<RetentionPass | null> {
    this.running ??= this.pass().finally(() => {
      this.running = null
    })
    return this.running
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    await this.running
  }

  private async pass(): Promise<RetentionPass | null> {
    try {
      const now = this.clock.now()
      const pass = await this.retention.run(now)
      let messages = 0
      for (const i of this.integrations) messages += (await i.prune?.(now - this.policy.historyMs)) ?? 0
      if (pass.journalRows + pass.historyRows + pass.runs + pass.dedupeKeysPruned + messages > 0) {
        this.log.info('retention deleted old rows', {
          journalRows: pass.journalRows,
          historyRows: pass.historyRows,
          runs: pass.runs,
          messages,
          dedupeKeysKept: pass.dedupeKeysKept,
          dedupeKeysPruned: pass.dedupeKeysPruned,
          pagesFreed: pass.pagesFreed,
          ms: Math.round(pass.ms),
          longestBatchMs: Math.round(pass.longestBatchMs * 10) / 10,
        })
      }
      return pass
    } catch (error) {
      // Operational: the next pass tries again.
      this.log.error('retention pass failed', { error: error instanceof Error ? error.stack : String(error) })
      return null
    }
  }
}
