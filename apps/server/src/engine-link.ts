import { Worker } from 'node:worker_threads'
import type { AppliedCounts, AppliedElsewhere, Engine, PublishResult } from '@switchyard/engine'
import type { EngineErrorCode, Failure, Journey, MigratePolicy, NodeReferences } from '@switchyard/schema'
import type { Config } from './config'
import type { Logger, LogLevel } from './log'

const YOUNG_GENERATION_MB = 64

export interface EngineThreadData {
  config: Config
  entry: string
  /** The main thread's ThreadWriteLock buffer: the two connections take turns without sleeping. */
  writeLock: SharedArrayBuffer
}

type Call =
  | { method: 'publish'; id: string; references: Pick<NodeReferences, 'webhookIds' | 'providerIds'>; migrate?: MigratePolicy }
  | { method: 'setPaused'; id: string; paused: boolean }
  | { method: 'deleteJourney'; id: string; options: { exitUsers: boolean } }

export type ToEngineThread = { type: 'ingested' } | { type: 'journeys' } | { type: 'call'; id: number; call: Call } | { type: 'stop' }

export type FromEngineThread =
  | { type: 'ready' }
  | { type: 'applied'; counts: AppliedCounts }
  | { type: 'outbox' }
  | { type: 'log'; level: LogLevel; msg: string; fields: Record<string, unknown> }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string }
  | { type: 'stopped' }
  | { type: 'fatal'; error: string }

/**
 * The main thread's side of the engine thread (see engine-thread.ts): starts it, wakes it when
 * events are stored, hands it the journey writes that touch runs, follows its counts and wakes the
 * relay when it commits outbox rows. It is the main engine's `elsewhere`, so that engine ingests,
 * reads and relays but never applies.
 */
export class EngineThread implements AppliedElsewhere {
  private worker: Worker | null = null
  private readonly calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private nextCall = 1
  private engine: Engine | null = null
  private stopping = false
  private stopped: Promise<void> = Promise.resolve()

  constructor(
    private readonly config: Config,
    private readonly writeLock: SharedArrayBuffer,
    private readonly log: Logger,
    /** The thread died on its own: nothing more is applied or delivered until the process restarts. */
    private readonly onFailed: (reason: string) => void,
  ) {}

  /**
   * Starts the thread once the main thread has migrated the database, and resolves once its
   * runner runs.
   */
  start(): Promise<void> {
    const { log, onFailed } = this
    const data: EngineThreadData = { config: this.config, writeLock: this.writeLock, entry: new URL('./engine-thread.ts', import.meta.url).href }
    // A batch allocates a user's state, machine snapshots and rows and drops them at commit: a
    // young generation of 64 MB (V8's default is 16) cut the thread's GC time by a third and its
    // busy time by a tenth at 30,000 users (`BENCH_PROFILE=<dir> pnpm bench end-to-end`).
    const worker = new Worker(new URL('./engine-thread.mjs', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } })
    this.worker = worker
    let ready = () => {}
    let failedEarly = (_: Error) => {}
    const started = new Promise<void>((resolve, reject) => {
      ready = resolve
      failedEarly = reject
    })
    let stoppedNow = () => {}
    this.stopped = new Promise((resolve) => (stoppedNow = resolve))
    let failed = false
    const fail = (reason: string) => {
      // A fatal report is followed by the thread's exit: one failure, told once.
      if (failed) return
      failed = true
      failedEarly(new Error(`The engine thread did not start: ${reason}`))
      for (const c of this.calls.values()) c.reject(new Error(`The engine thread stopped: ${reason}`))
      this.calls.clear()
      if (!this.stopping) {
        log.error('engine thread failed', { error: reason })
        onFailed(reason)
      }
      stoppedNow()
    }
    worker.on('message', (m: FromEngineThread) => {
      switch (m.type) {
        case 'ready':
          ready()
          return
        case 'applied':
          this.engine?.appliedElsewhere(m.counts)
          return
        case 'outbox':
          this.engine?.outboxElsewhere()
          return
        case 'log':
          log[m.level](m.msg, m.fields)
          return
        case 'reply': {
          const c = this.calls.get(m.id)
          this.calls.delete(m.id)
          if (m.ok) c?.resolve(m.value)
          else c?.reject(new Error(m.error))
          return
        }
        case 'stopped':
          stoppedNow()
          return
        case 'fatal':
          fail(m.error)
          void worker.terminate()
          return
      }
    })
    worker.on('error', (error) => fail(error.stack ?? String(error)))
    worker.on('exit', (code) => fail(`it exited with code ${code}`))
    return started
  }

  /** The main engine: its stored events wake the thread; the thread's counts and outbox rows reach it. */
  attach(engine: Engine): void {
    this.engine = engine
    engine.onIngest(() => this.send({ type: 'ingested' }))
  }

  publish(id: string, references: NodeReferences, migrate?: MigratePolicy): Promise<PublishResult | Failure<'migration.invalid_map'> | null> {
    const refs = { ...(references.webhookIds ? { webhookIds: references.webhookIds } : {}), ...(references.providerIds ? { providerIds: references.providerIds } : {}) }
    return this.call({ method: 'publish', id, references: refs, ...(migrate ? { migrate } : {}) }) as Promise<PublishResult | Failure<'migration.invalid_map'> | null>
  }

  setPaused(id: string, paused: boolean): Promise<Journey | Failure<EngineErrorCode> | null> {
    return this.call({ method: 'setPaused', id, paused }) as Promise<Journey | Failure<EngineErrorCode> | null>
  }

  deleteJourney(id: string, options: { exitUsers: boolean }): Promise<{ ok: true } | Failure<EngineErrorCode> | null> {
    return this.call({ method: 'deleteJourney', id, options }) as Promise<{ ok: true } | Failure<EngineErrorCode> | null>
  }

  journeysChanged(): void {
    this.send({ type: 'journeys' })
  }

  /** The thread finishes its batch in hand, stops delivering and closes its connection. */
  async stop(): Promise<void> {
    this.stopping = true
    if (this.worker === null) return
    this.send({ type: 'stop' })
    await this.stopped
    await this.worker.terminate()
  }

  private call(call: Call): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.nextCall++
      this.calls.set(id, { resolve, reject })
      this.send({ type: 'call', id, call })
    })
  }

  private send(m: ToEngineThread): void {
    // Before the thread starts, wake-ups can go: it reads the journal and the catalog as it starts.
    if (this.worker === null && m.type !== 'call') return
    if (this.worker === null) throw new Error('The engine thread is not started.')
    this.worker.postMessage(m)
  }
}
