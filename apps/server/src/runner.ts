import { EngineRunner, type Engine } from '@switchyard/engine'
import type { Logger } from './log'

/** The engine's runner with its failures logged; `maxBacklog: null` where ingestion waits on another thread. */
export function engineRunner(engine: Engine, log: Logger, maxBacklog?: number | null): EngineRunner {
  return new EngineRunner(engine, { ...(maxBacklog !== undefined ? { maxBacklog } : {}), onError: (e) => log.error('engine loop failed', { error: e instanceof Error ? e.stack : String(e) }) })
}
