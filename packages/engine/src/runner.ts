import type { Engine } from './engine'
import { StaleBatchError } from './postgres/shared'
import { Sleeper } from './sleeper'

/** Unapplied journal events at which ingestion waits for the engine, unless told otherwise. */
export const DEFAULT_MAX_BACKLOG = 50_000

export interface RunnerOptions {
  /** Longest sleep when there is nothing to do, so new timers are noticed. */
  maxIdleMs?: number
  /** Journal backlog at which ingestion waits for the engine (back-pressure); null turns it off. Default 50,000. */
  maxBacklog?: number | null
  onError?: (error: unknown) => void
}

/**
 * Drives an engine in the background: applies the journal as it grows and fires timers as they
 * fall due. Wakes at once on ingest and at the next timer's due time.
 */
export class EngineRunner {
  private running = false
  private loop: Promise<void> | null = null
  private readonly sleeper = new Sleeper()
  private unsubscribe: (() => void) | null = null

  constructor(
    private readonly engine: Engine,
    private readonly options: RunnerOptions = {},
  ) {}

  start(): void {
    if (this.running) return
    this.running = true
    this.engine.setBackPressure(this.options.maxBacklog === undefined ? DEFAULT_MAX_BACKLOG : this.options.maxBacklog)
    this.unsubscribe = this.engine.onIngest(() => this.sleeper.wake())
    this.loop = this.run()
  }

  /** Finishes the batch in hand, then stops. Nothing accepted is lost: it stays in the journal. */
  async stop(): Promise<void> {
    this.running = false
    this.engine.setBackPressure(null)
    this.unsubscribe?.()
    this.sleeper.wake()
    await this.loop
  }

  private async run(): Promise<void> {
    const maxIdle = this.options.maxIdleMs ?? 250
    while (this.running) {
      let worked = 0
      try {
        worked = (await this.engine.processPending()) + (await this.engine.fireDueTimers())
      } catch (error) {
        // Another process published or deleted a journey while this batch was in hand: it was
        // dropped, and is read again at once against the new catalog. Not a failure.
        if (error instanceof StaleBatchError) continue
        this.options.onError?.(error)
        await this.sleeper.sleep(1000)
        continue
      }
      if (worked > 0) {
        // Let HTTP handlers run between batches.
        await new Promise((resolve) => setImmediate(resolve))
        continue
      }
      const next = await this.engine.nextTimerDue()
      const wait = next === null ? maxIdle : Math.max(0, Math.min(maxIdle, next - this.engine.clock.now()))
      await this.sleeper.sleep(wait)
    }
  }
}
