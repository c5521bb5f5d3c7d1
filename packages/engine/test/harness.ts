import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IngestedEvent, JourneyInput } from '@switchyard/schema'
import { FakeClock } from '@switchyard/testkit'
import { Engine, SqliteEngineStore, openDatabase } from '../src/index'

export interface TestEngine {
  engine: Engine
  store: SqliteEngineStore
  clock: FakeClock
  file: string
  /** Closes the database and opens the same file again, as a restarted process would. */
  restart(): Promise<TestEngine>
}

export async function openTestEngine(file = join(mkdtempSync(join(tmpdir(), 'sy-engine-')), 'switchyard.db'), clock = new FakeClock()): Promise<TestEngine> {
  const store = new SqliteEngineStore(openDatabase(file), clock.now())
  const engine = await Engine.open({ store, clock, workspace: 'acme' })
  return {
    engine,
    store,
    clock,
    file,
    async restart() {
      await engine.close()
      return openTestEngine(file, clock)
    },
  }
}

let counter = 0

export function track(userId: string, event: string, properties: Record<string, unknown> = {}, at = Date.now(), messageId?: string): IngestedEvent {
  return { messageId: messageId ?? `m-${++counter}`, type: 'track', userId, event, properties, timestamp: at, receivedAt: at }
}

export function identify(userId: string, traits: Record<string, unknown>, at = Date.now()): IngestedEvent {
  return { messageId: `i-${++counter}`, type: 'identify', userId, traits, timestamp: at, receivedAt: at }
}

/** Creates and publishes a journey; fails the test on validation issues. */
export async function publish(engine: Engine, input: JourneyInput): Promise<string> {
  const j = await engine.createJourney(input)
  const result = await engine.publish(j.id)
  if (!result || !result.ok) throw new Error(`publish failed: ${JSON.stringify(result)}`)
  return j.id
}

/** Ingests events and applies everything due. */
export async function send(engine: Engine, ...events: IngestedEvent[]): Promise<void> {
  await engine.ingest(events)
  await engine.runUntilIdle()
}

export async function path(engine: Engine, journeyId: string, userId: string): Promise<string[]> {
  const [run] = await engine.userRuns(journeyId, userId)
  return run ? run.history.map((h) => `${h.kind}:${h.nodeId}${h.outlet ? `>${h.outlet}` : ''}`) : []
}
