import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hono } from 'hono'
import { DEFAULT_PARTITIONS, Engine, PgEngineStore, SqliteEngineStore, everyPartition, openDatabase, type EngineStore } from '@switchyard/engine'
import { ThreadWriteLock } from '@switchyard/storage'
import { postgresSchemas } from '@switchyard/storage/testing'
import type { Backend } from '../src/backend'
import { FakeClock } from '@switchyard/testkit'
import { createApp } from '../src/app'
import { outboxRelay } from '../src/relay'
import { silentLogger, type Logger } from '../src/log'
import { Metrics } from '../src/metrics'
import { RouteRegistry } from '../src/openapi'
import { createChannelService } from '@switchyard/channels'
import { createSecretBox } from '@switchyard/secrets'
import type { Integrations } from '../src/integrations'
import { channelsIntegration } from '../src/integrations/channels'
import { createServices } from '../src/services'

export interface TestApp {
  app: Hono
  engine: Engine
  /** The engine's store, for tests that read what it wrote (the engine keeps it private). */
  store: EngineStore
  /** Runs SQL on the app's database, for tests that break what it wrote. */
  exec(sql: string): Promise<void>
  clock: FakeClock
  /** Runs the engine, then hands every due outbox job to its handler once. */
  dispatch(): Promise<unknown>
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>
}

/**
 * The backend the server's tests run on: SQLite, or PostgreSQL when `SWITCHYARD_TEST_BACKEND=postgres`
 * (`pnpm test` runs the suite both ways; a schema of its own per app, in one database per file).
 */
export const TEST_BACKEND = process.env.SWITCHYARD_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite'
const postgres = TEST_BACKEND === 'postgres' ? postgresSchemas('server') : null
/** `dbFile` -> the schema an earlier app used, so a restart test reopens the same data. */
const schemas = new Map<string, string>()

async function openBackend(dbFile: string | undefined, now: number): Promise<{ backend: Backend; store: EngineStore; exec(sql: string): Promise<void> }> {
  if (postgres) {
    const schema = (dbFile !== undefined ? schemas.get(dbFile) : undefined) ?? (await postgres.newSchema())
    if (dbFile !== undefined) schemas.set(dbFile, schema)
    const pool = await postgres.pool(schema)
    const store = await PgEngineStore.open(pool, now, { scope: everyPartition(DEFAULT_PARTITIONS) })
    return { backend: { kind: 'postgres', pool, url: '' }, store, exec: async (sql) => void (await pool.query(sql)) }
  }
  const path = dbFile ?? join(mkdtempSync(join(tmpdir(), 'sy-server-')), 'switchyard.db')
  const writeLock = new ThreadWriteLock()
  const db = openDatabase(path, { writeLock })
  return { backend: { kind: 'sqlite', db, path, writeLock }, store: new SqliteEngineStore(db, now), exec: async (sql) => void db.exec(sql) }
}

/**
 * The app on a temp database and a fake clock, with the real channels integration (receipts,
 * `/v1/activity`, sandbox sends); nothing polls: the test drives the outbox through `dispatch`.
 */
export async function testApp(options: { adminToken?: string; writeKey?: string; integrations?: Integrations; log?: Logger; withWebhooks?: boolean; dbFile?: string } = {}): Promise<TestApp> {
  const clock = new FakeClock()
  // `dbFile`: a file an earlier app used, to test what survives a restart.
  const { backend, store, exec } = await openBackend(options.dbFile, clock.now())
  const engine = await Engine.open({ store, clock, workspace: 'acme' })
  const metrics = new Metrics()
  const log = options.log ?? silentLogger
  const secretBox = createSecretBox('test-secret-key-0123456789')
  // `withWebhooks`: the production wiring, account events included; the webhook dispatcher is not started.
  const integrations =
    options.integrations ??
    (options.withWebhooks
      ? (await createServices({ backend, engine, secretBox, clock, workspace: 'acme', allowPrivateTargets: [], metrics, log })).integrations
      : [channelsIntegration(await createChannelService({ backend, secretBox, clock }), engine)])
  const app = createApp({
    engine,
    config: { adminToken: options.adminToken ?? null, writeKey: options.writeKey ?? null, workspace: 'acme', webDist: '/nonexistent' },
    metrics,
    log,
    registry: new RouteRegistry(),
    integrations,
    version: 'test',
  })
  const dispatcher = outboxRelay(engine, Object.assign({}, ...integrations.map((i) => i.outbox ?? {})), log)
  return {
    app,
    engine,
    store,
    exec,
    clock,
    async dispatch() {
      await engine.runUntilIdle()
      await dispatcher.drain()
      await engine.runUntilIdle()
    },
    async request(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } }
      if (body !== undefined) init.body = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)
      const res = await app.request(path, init)
      const text = await res.text()
      let json: unknown = null
      try {
        json = JSON.parse(text)
      } catch {
        json = null
      }
      return { status: res.status, json, text }
    },
  }
}
