import { performance } from 'node:perf_hooks'
import { initialTransition, transition } from 'xstate'
import { compileJourney, type MachineEvent } from '@switchyard/compiler'
import { Engine, JourneyStepper, SqliteEngineStore, createJourneyMachine, messageIdFor, openDatabase, systemClock, type EngineStore, type RunContext } from '@switchyard/engine'
import { Graph, type IngestedEvent } from '@switchyard/schema'
import { cartEvent, clickEvent, identifyEvent, netcoreJourney, sentEvent, userIdOf } from './netcore'
import { progress, round, tempDir } from './util'

const BATCH = 1000

export interface ThroughputResult {
  users: number
  events: number
  seconds: number
  eventsPerSecond: number
}

/**
 * (1) The ceiling: the engine's own compiled Netcore machine driven in a tight loop, snapshots
 * upserted into SQLite 1,000 at a time. No journal, no history, no outbox, no timers: what is
 * left is the cost of XState plus JSON plus SQLite. `xstate` calls xstate's pure
 * `transition()` / `initialTransition()`; `scope` reuses one inert actor scope per machine as
 * the engine does (`JourneyStepper`), which the pure functions cannot.
 */
export function rawLimit(users: number, mode: 'xstate' | 'scope'): ThroughputResult {
  const tmp = tempDir('raw')
  const db = openDatabase(tmp.file)
  db.exec('CREATE TABLE snapshots (key TEXT PRIMARY KEY, value TEXT NOT NULL, context TEXT NOT NULL) WITHOUT ROWID')
  db.exec('CREATE TABLE users (user_id TEXT PRIMARY KEY, traits TEXT NOT NULL) WITHOUT ROWID')
  const upsertSnapshot = db.prepare<[string, string, string]>(
    'INSERT INTO snapshots (key, value, context) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, context = excluded.context',
  )
  const upsertUser = db.prepare<[string, string]>('INSERT INTO users (user_id, traits) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET traits = excluded.traits')
  const compiled = compileJourney(Graph.parse(netcoreJourney().graph))
  const machine = createJourneyMachine(compiled.machine)
  const stepper = new JourneyStepper(machine, compiled.machine)
  const initial = (input: RunContext) => (mode === 'xstate' ? initialTransition(machine, input) : stepper.initial(input))
  type Snap = ReturnType<typeof machine.resolveState>
  const snaps = new Map<string, Snap>()
  const traits = new Map<string, Record<string, unknown>>()
  const now = Date.now()
  let events = 0

  const writeBatch = (touched: Set<string>) => {
    db.transaction(() => {
      for (const userId of touched) {
        const s = snaps.get(userId)
        if (s) {
          const { user: _u, ...context } = s.context
          upsertSnapshot.run(`nc:${userId}`, JSON.stringify(s.value), JSON.stringify(context))
        } else upsertUser.run(userId, JSON.stringify(traits.get(userId) ?? {}))
      }
    }).immediate()
  }

  const phase = (apply: (i: number) => void) => {
    let touched = new Set<string>()
    for (let i = 0; i < users; i++) {
      apply(i)
      touched.add(userIdOf(i))
      events++
      if (touched.size === BATCH) {
        writeBatch(touched)
        touched = new Set()
      }
    }
    if (touched.size > 0) writeBatch(touched)
  }

  const started = performance.now()
  phase((i) => {
    const e = identifyEvent(i, now)
    traits.set(e.userId, { ...(traits.get(e.userId) ?? {}), ...e.traits })
  })
  phase((i) => {
    const e = cartEvent(i, now)
    const userId = e.userId
    const input: RunContext = {
      runId: `run-${i}`,
      journeyId: 'jny',
      version: 1,
      userId,
      event: { name: 'add_to_cart', properties: e.properties ?? {}, messageId: e.messageId, timestamp: new Date(now).toISOString() },
      message: null,
      control: false,
      user: { id: userId, traits: traits.get(userId) ?? {} },
    }
    snaps.set(userId, initial(input)[0])
  })
  const step = (i: number, make: (i: number, messageId: string, at: number) => IngestedEvent) => {
    const userId = userIdOf(i)
    const prev = snaps.get(userId)
    if (!prev) throw new Error(`raw limit: no snapshot for ${userId}`)
    const e = make(i, prev.context.message?.id ?? '', now)
    const snapshot = machine.resolveState({ value: prev.value, context: { ...prev.context, user: { id: userId, traits: traits.get(userId) ?? {} } } })
    const event: MachineEvent = { type: 'track', name: e.event ?? '', properties: e.properties ?? {}, messageId: e.messageId, timestamp: new Date(now).toISOString() }
    const [next] = mode === 'xstate' ? transition(machine, snapshot, event) : stepper.transition(snapshot, event)
    snaps.set(userId, next)
  }
  phase((i) => step(i, sentEvent))
  phase((i) => step(i, clickEvent))
  const seconds = (performance.now() - started) / 1000
  const done = [...snaps.values()].filter((s) => s.status === 'done').length
  db.close()
  tmp.cleanup()
  if (done !== users) throw new Error(`raw limit: ${done} of ${users} runs completed`)
  return { users, events, seconds: round(seconds, 2), eventsPerSecond: round(events / seconds) }
}

/**
 * (2) The engine end to end in process: events are ingested into the journal first (timed
 * apart), then `processPending` applies them (journal read, user load, transition, and runs,
 * history, outbox, timers and counters committed per batch). Four phases of one event per
 * user: identify, add_to_cart (starts the run, sends the RCS, sets the 15-minute timer),
 * rcs.sent (no match), rcs.clicked (matches, cancels the timer, enqueues the webhook, ends).
 */
export async function engineThroughput(users: number, open: () => Promise<BenchStore> = openSqliteBenchStore): Promise<ThroughputResult & { ingestPerSecond: number; completed: number }> {
  const { store, cleanup } = await open()
  const engine = await Engine.open({ store, clock: systemClock, workspace: 'bench' })
  const journey = await engine.createJourney(netcoreJourney())
  const published = await engine.publish(journey.id)
  if (!published?.ok) throw new Error('engine throughput: publishing the Netcore journey failed')
  const now = Date.now()
  let applySeconds = 0
  let ingestSeconds = 0
  let events = 0

  const run = async (label: string, make: (i: number) => IngestedEvent) => {
    let t = performance.now()
    for (let i = 0; i < users; i += BATCH) {
      const chunk: IngestedEvent[] = []
      for (let k = i; k < Math.min(users, i + BATCH); k++) chunk.push(make(k))
      await engine.ingest(chunk)
    }
    ingestSeconds += (performance.now() - t) / 1000
    t = performance.now()
    let n = 0
    for (;;) {
      const applied = await engine.processPending()
      if (applied === 0) break
      n += applied
    }
    const s = (performance.now() - t) / 1000
    applySeconds += s
    events += n
    progress(`  engine: ${label}: ${n} events applied in ${s.toFixed(2)} s (${Math.round(n / s)}/s)`)
  }

  await run('identify', (i) => identifyEvent(i, now))
  await run('add_to_cart', (i) => cartEvent(i, now))
  const messageIds = new Map((await store.activeRuns(journey.id)).map((r) => [r.userId, messageIdFor(r.runId, 'rcs')]))
  const idOf = (i: number) => messageIds.get(userIdOf(i)) ?? 'missing'
  await run('rcs.sent', (i) => sentEvent(i, idOf(i), now))
  await run('rcs.clicked', (i) => clickEvent(i, idOf(i), now))
  const stats = await engine.stats(journey.id)
  const completed = stats.nodes['hook']?.entered ?? 0
  await engine.close()
  await cleanup()
  return {
    users,
    events,
    seconds: round(applySeconds, 2),
    eventsPerSecond: round(events / applySeconds),
    ingestPerSecond: round(events / ingestSeconds),
    completed,
  }
}

/** A store for one figure, and how to remove its database afterwards. */
export interface BenchStore {
  store: EngineStore
  cleanup(): Promise<void>
}

export async function openSqliteBenchStore(): Promise<BenchStore> {
  const tmp = tempDir('engine')
  const store = new SqliteEngineStore(openDatabase(tmp.file))
  return { store, cleanup: async () => tmp.cleanup() }
}
