import { join } from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import { Engine, SqliteEngineStore, SqliteRetention, openDatabase, systemClock, type AppliedCounts, type EngineCounters } from '@switchyard/engine'
import { createSecretBox, loadSecretKey } from '@switchyard/secrets'
import { checkLiquid } from '@switchyard/webhooks'
import type { Config } from './config'
import { LOG_LEVELS, type Logger, type LogLevel } from './log'
import { Metrics } from './metrics'
import { RetentionTask } from './retention'
import { createServices } from './services'
import { startWork } from './work'
import type { EngineThreadData, FromEngineThread, ToEngineThread } from './engine-link'

/**
 * The engine thread: on SQLite the server applies the journal, fires timers and delivers here,
 * on its own connection to the same file, while the main thread parses, validates, appends and
 * answers. Messages between the two carry batches: "events were stored", "a batch was applied"
 * (with counts), journey writes that touch runs, log records and delivery counts.
 */
const port = parentPort
if (port === null) throw new Error('engine-thread.ts runs as a worker thread')
const post = (m: FromEngineThread) => port.postMessage(m)
const { config } = workerData as EngineThreadData

const log = forwardingLogger(config.logLevel)
process.on('uncaughtException', (error) => {
  post({ type: 'fatal', error: error.stack ?? String(error) })
})

const db = openDatabase(config.sqlitePath, { synchronous: config.sqliteSynchronous === 'full' ? 'FULL' : 'NORMAL' })
const store = new SqliteEngineStore(db, systemClock.now())
let reported: EngineCounters = { eventsAccepted: 0, eventsDuplicate: 0, eventsApplied: 0, timersFired: 0 }
const engine = await Engine.open({ store, clock: systemClock, workspace: config.workspace, onApplied: () => report() })
const metrics = new Metrics()
const secretBox = createSecretBox(loadSecretKey(config.secretKey ?? undefined, join(config.dataDir, 'secret.key')))
const { integrations, handlers } = await createServices({
  backend: { kind: 'sqlite', db, path: config.sqlitePath },
  engine,
  secretBox,
  clock: systemClock,
  workspace: config.workspace,
  allowPrivateTargets: config.allowPrivateTargets,
  alertEmails: config.alertEmails,
  metrics,
  log,
})
const retention = new RetentionTask(new SqliteRetention(store, config.retention), config.retention, systemClock, log, integrations)
const work = startWork({ engine, handlers, integrations, retention, log, relayMaxIdleMs: 60_000, maxBacklog: null })
// Sends' `<channel>.sent` events are accepted here; delivery counts change between batches too.
const reporting = setInterval(() => report(), 1000)
let deliveriesSent = ''

/** What changed since the last report: counters as deltas, delivery counts whole. */
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
  const deliveries = JSON.stringify([...metrics.deliveries])
  if (deliveries !== deliveriesSent) {
    deliveriesSent = deliveries
    post({ type: 'deliveries', counts: Object.fromEntries(metrics.deliveries) })
  }
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

async function stop(): Promise<void> {
  clearInterval(reporting)
  await work.stop()
  report()
  await engine.close()
  db.close()
  post({ type: 'stopped' })
}

/** Records go to the main thread's logger, so they are written where and as the server's own are. */
function forwardingLogger(level: LogLevel): Logger {
  const min = LOG_LEVELS.indexOf(level)
  const at = (l: LogLevel) => (LOG_LEVELS.indexOf(l) < min ? () => {} : (msg: string, fields: Record<string, unknown> = {}) => post({ type: 'log', level: l, msg, fields: JSON.parse(JSON.stringify(fields)) as Record<string, unknown> }))
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

post({ type: 'ready' })
export type { Config }
