import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IngestedEvent, JourneyInput } from '@switchyard/schema'
import { FakeClock } from '@switchyard/testkit'
import { DEFAULT_PARTITIONS, Engine, PgEngineStore, SqliteEngineStore, everyPartition, openDatabase, type EngineOptions, type EngineStore } from '../src/index'
import { postgresForTests } from './postgres'

export interface TestEngine<S extends EngineStore = EngineStore> {
  engine: Engine
  store: S
  clock: FakeClock
  /** Closes the store and opens the same database again, as a restarted process would. */
  restart(): Promise<TestEngine<S>>
}

export interface SqliteTestEngine extends TestEngine<SqliteEngineStore> {
  file: string
  restart(): Promise<SqliteTestEngine>
}

/**
 * The backend the engine's behaviour tests run on: SQLite, or PostgreSQL when
 * `SWITCHYARD_TEST_STORE=postgres` (the `engine-on-postgres` project in vitest.config.ts runs the same files so).
 */
export const TEST_STORE = process.env.SWITCHYARD_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite'

const postgres = TEST_STORE === 'postgres' ? postgresForTests('engine') : null

/** An engine on a new, empty database of the backend under test, on a fake clock. */
export async function openTestEngine(clock = new FakeClock(), options: Partial<Omit<EngineOptions, 'store' | 'clock'>> = {}): Promise<TestEngine> {
  if (postgres === null) return openSqliteTestEngine(undefined, clock, options)
  const schema = await postgres.newSchema()
  const open = async (): Promise<TestEngine> => {
    const pool = await postgres.pool(schema)
    // Shared mode holding every partition, as a server alone on its database runs.
    const store = await PgEngineStore.open(pool, clock.now(), { scope: everyPartition(DEFAULT_PARTITIONS) })
    const engine = await Engine.open({ store, clock, workspace: 'acme', ...options })
    return {
      engine,
      store,
      clock,
      async restart() {
        await engine.close()
        await pool.endOnce()
        return open()
      },
    }
  }
  return open()
}

/** An engine on a SQLite file (a new one unless given), for tests of the SQLite store itself. */
export async function openSqliteTestEngine(
  file = join(mkdtempSync(join(tmpdir(), 'sy-engine-')), 'switchyard.db'),
  clock = new FakeClock(),
  options: Partial<Omit<EngineOptions, 'store' | 'clock'>> = {},
): Promise<SqliteTestEngine> {
  const store = new SqliteEngineStore(openDatabase(file), clock.now())
  const engine = await Engine.open({ store, clock, workspace: 'acme', ...options })
  return {
    engine,
    store,
    clock,
    file,
    async restart() {
      await engine.close()
      return openSqliteTestEngine(file, clock, options)
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
