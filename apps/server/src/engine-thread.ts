import { parentPort, workerData } from 'node:worker_threads'
import { Engine, EngineRunner, SqliteEngineStore, openDatabase, systemClock, type AppliedCounts, type EngineCounters } from '@switchyard/engine'
import { checkLiquid } from '@switchyard/webhooks'
import { LOG_LEVELS, type Logger, type LogLevel } from './log'
import type { EngineThreadData, FromEngineThread, ToEngineThread } from './engine-link'

/**
 * The engine thread: on SQLite the server applies the journal and fires timers here, on its own
 * connection to the same file, while the main thread parses, validates, appends, answers and
 * relays side effects. Messages between the two carry batches: "events were stored", "a batch was
 * applied" (with counts), "outbox rows were committed", journey writes that touch runs, and log
 * records.
 */
const port = parentPort
if (port === null) throw new Error('engine-thread.ts runs as a worker thread')
const post = (m: FromEngineThread) => port.postMessage(m)
const { config } = workerData as EngineThreadData

const log = forwardingLogger(config.logLevel)
process.on('uncaughtException', (error) => post({ type: 'fatal', error: error.stack ?? String(error) }))

const db = openDatabase(config.sqlitePath, { synchronous: config.sqliteSynchronous === 'full' ? 'FULL' : 'NORMAL' })
const store = new SqliteEngineStore(db, systemClock.now())
let reported: EngineCounters = { eventsAccepted: 0, eventsDuplicate: 0, eventsApplied: 0, timersFired: 0 }
const engine = await Engine.open({ store, clock: systemClock, workspace: config.workspace, onApplied: () => report() })
engine.onOutbox(() => post({ type: 'outbox' }))
// Back-pressure is the main thread's, where events arrive.
const runner = new EngineRunner(engine, { maxBacklog: null, onError: (e) => log.error('engine loop failed', { error: e instanceof Error ? e.stack : String(e) }) })
runner.start()

/** What changed since the last report, as deltas. */
function report(): void {
  const c = engine.counters
  const delta: AppliedCounts = {
    accepted: c.eventsAccepted - reported.eventsAccepted,
    duplicates: c.eventsDuplicate - reported.eventsDuplicate,
    events: c.eventsApplied - reported.eventsApplied,
    timers: c.timersFired - reported.timersFired,
  }
  reported = { ...c }
  if (delta.accepted + delta.duplicates + delta.events + delta.timers > 0) post({ type: 'applied', counts: delta })
}

port.on('message', (m: ToEngineThread) => {
  switch (m.type) {
    case 'ingested':
      engine.appendedElsewhere()
      return
    case 'journeys':
      engine.journeysChangedElsewhere()
      return
    case 'call':
      void answer(m.id, async () => {
        switch (m.call.method) {
          case 'publish':
            return engine.publish(m.call.id, { ...m.call.references, checkTemplate: checkLiquid }, m.call.migrate)
          case 'setPaused':
            return engine.setPaused(m.call.id, m.call.paused)
          case 'deleteJourney':
            return engine.deleteJourney(m.call.id, m.call.options)
        }
      })
      return
    case 'stop':
      void stop()
      return
  }
})

async function answer(id: number, run: () => Promise<unknown>): Promise<void> {
  try {
    post({ type: 'reply', id, ok: true, value: await run() })
  } catch (error) {
    post({ type: 'reply', id, ok: false, error: error instanceof Error ? error.message : String(error) })
  }
}

/** The batch in hand commits; what is not applied stays in the journal for the next start. */
async function stop(): Promise<void> {
  await runner.stop()
  report()
  await engine.close()
  db.close()
  post({ type: 'stopped' })
}

/** Records go to the main thread's logger, so they are written where and as the server's own are. */
function forwardingLogger(level: LogLevel): Logger {
  const min = LOG_LEVELS.indexOf(level)
  const at = (l: LogLevel) =>
    LOG_LEVELS.indexOf(l) < min ? () => {} : (msg: string, fields: Record<string, unknown> = {}) => post({ type: 'log', level: l, msg, fields: JSON.parse(JSON.stringify(fields)) as Record<string, unknown> })
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

post({ type: 'ready' })
