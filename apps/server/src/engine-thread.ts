import { parentPort, workerData } from 'node:worker_threads'
import { Engine, SqliteEngineStore, openDatabase, systemClock } from '@switchyard/engine'
import { ThreadWriteLock } from '@switchyard/storage'
import { checkLiquid } from '@switchyard/webhooks'
import { levelledLogger, setAsideLine } from './log'
import { engineRunner } from './runner'
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
const { config, writeLock } = workerData as EngineThreadData

// Records go to the main thread's logger, so they are written where and as the server's own are.
const log = levelledLogger(config.logLevel, (level, msg, fields) => post({ type: 'log', level, msg, fields: JSON.parse(JSON.stringify(fields)) as Record<string, unknown> }))
process.on('uncaughtException', (error) => post({ type: 'fatal', error: error.stack ?? String(error) }))

// The main thread runs the background checkpoint whenever this thread runs (boot.ts).
const db = openDatabase(config.sqlitePath, { synchronous: config.sqliteSynchronous === 'full' ? 'FULL' : 'NORMAL', writeLock: new ThreadWriteLock(writeLock), checkpoint: 'background' })
const store = new SqliteEngineStore(db, systemClock.now())
// Each batch's count reaches the main thread's counters (and its back-pressure).
const engine = await Engine.open({
  store,
  clock: systemClock,
  workspace: config.workspace,
  onApplied: (a) => post({ type: 'applied', counts: a.kind === 'events' ? { events: a.since.length, timers: 0, setAside: a.setAside ?? 0 } : { events: 0, timers: a.since.length } }),
  onSetAside: (entry, error) => log.error(...setAsideLine(entry, error)),
})
engine.onOutbox(() => post({ type: 'outbox' }))
// Back-pressure is the main thread's, where events arrive.
const runner = engineRunner(engine, log, null)
runner.start()

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
  await engine.close()
  db.close()
  post({ type: 'stopped' })
}

post({ type: 'ready' })
