import { chmodSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { serve, type ServerType } from '@hono/node-server'
import { DEFAULT_MAX_BACKLOG, Engine, JOURNAL_CHANNEL, systemClock, type Clock } from '@switchyard/engine'
import { listen } from '@switchyard/storage'
import { openBackend, type Backend } from './backend'
import { createSecretBox, loadSecretKey } from '@switchyard/secrets'
import { createApp } from './app'
import type { Config } from './config'
import { EngineThread } from './engine-link'
import { startWork, type Work } from './work'
import { createServices } from './services'
import { setAsideLine, type Logger } from './log'
import { Metrics } from './metrics'
import { RouteRegistry } from './openapi'
import { finishReceiving } from './unread-body'
import { VERSION } from './version'

export interface Running {
  url: string
  engine: Engine
  backend: Backend
  /** The SQLite handle (SQLite only), for tests that read what the server wrote. */
  db: Database.Database | null
  stop(): Promise<void>
}

export interface BootOptions {
  /** The engine thread died (SQLite): by default the process exits, so its supervisor restarts it with nothing lost. */
  onEngineThreadFailed?: (reason: string) => void
}

/**
 * Opens the database and starts everything one process runs: HTTP, the engine loop, the timer
 * scheduler and the outbox relay. On SQLite the engine loop and timers run on the engine thread
 * unless ENGINE_THREAD=main, or a test's clock is not the system's. `stop()` closes them in the
 * order that loses nothing.
 */
export async function boot(config: Config, log: Logger, clock: Clock = systemClock, options: BootOptions = {}): Promise<Running> {
  // Only a SQLite file gets the engine thread (config.ts), and a background checkpoint with it.
  const threaded = config.engineThread === 'worker' && clock === systemClock
  const opened = await openBackend(config, clock, log, { backgroundCheckpoint: threaded })
  const { backend, store } = opened
  const thread = backend.kind === 'sqlite' && threaded ? new EngineThread(config, backend.writeLock.buffer, log, options.onEngineThreadFailed ?? (() => process.exit(1))) : null
  const engine = await Engine.open({ store, clock, workspace: config.workspace, onSetAside: (entry, error) => log.error(...setAsideLine(entry, error)), ...(thread ? { elsewhere: thread } : {}) })
  const works = config.role !== 'api'
  const keyFile = join(config.dataDir, 'secret.key')
  const secretBox = createSecretBox(loadSecretKey(config.secretKey ?? undefined, keyFile))
  if (existsSync(keyFile)) chmodSync(keyFile, 0o600)
  const metrics = new Metrics()
  const { integrations, handlers } = await createServices({
    backend,
    engine,
    secretBox,
    clock,
    workspace: config.workspace,
    allowPrivateTargets: config.allowPrivateTargets,
    alertEmails: config.alertEmails,
    metrics,
    log,
  })
  const app = createApp({
    engine,
    config,
    metrics,
    log,
    registry: new RouteRegistry(),
    integrations,
    version: VERSION,
    ...(opened.maintenance ? { database: opened.maintenance } : {}),
    role: config.role,
    ...(backend.kind === 'postgres' ? { health: () => ({ role: config.role, partitions: opened.partitionsHeld() }) } : {}),
  })
  if (thread) {
    thread.attach(engine)
    // Back-pressure waits here, where events arrive, on the backlog the thread reports.
    engine.setBackPressure(DEFAULT_MAX_BACKLOG)
    await thread.start()
  }

  let draining = false
  // While draining, every answer closes its connection, so keep-alive clients let go.
  const fetch = async (request: Request, env?: unknown): Promise<Response> => {
    const response = await app.fetch(request, env)
    if ((await finishReceiving(env)) === 'close' || draining) response.headers.set('connection', 'close')
    return response
  }
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch, port: config.port, hostname: config.host }, () => resolve(s))
  })
  // Idle keep-alive connections stay open longer than a load balancer's usual 60 s, so a client
  // never reuses one at the moment the server closes it (Node's default is 5 s: a client idle that
  // long, as while a large journey is published on the engine thread, could race the close).
  if ('keepAliveTimeout' in server) server.keepAliveTimeout = 65_000
  const address = server.address()
  const port = address !== null && typeof address === 'object' ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  // On a shared database, appends by any process wake this one's runner (LISTEN/NOTIFY).
  const listening = works && backend.kind === 'postgres' ? listen(config.databaseUrl, JOURNAL_CHANNEL, () => engine.appendedElsewhere(), (e) => log.warn('journal notifications lost; polling meanwhile', { error: String(e) })) : null
  // On SQLite every commit is this process's own and wakes the relay; on PostgreSQL other processes' rows are looked for every second.
  const work: Work | null = works
    ? startWork({ engine, handlers, integrations, retention: opened.retention(config.retention, log, integrations), log, relayMaxIdleMs: backend.kind === 'postgres' ? 1000 : 60_000, applies: thread === null })
    : null
  log.info('switchyard started', { url: `http://${host}:${port}`, database: opened.describe, workspace: config.workspace, role: config.role, engineThread: thread !== null })

  let stopping: Promise<void> | null = null
  return {
    url: `http://${host}:${port}`,
    engine,
    backend,
    db: backend.kind === 'sqlite' ? backend.db : null,
    stop() {
      stopping ??= (async () => {
        // No new connections; requests in flight finish (any 200 already means the event is
        // stored), idle keep-alive connections close now, and stragglers after a grace period.
        draining = true
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        if ('closeIdleConnections' in server) server.closeIdleConnections()
        const grace = setTimeout(() => {
          if ('closeAllConnections' in server) server.closeAllConnections()
        }, 5_000)
        await closed
        clearTimeout(grace)
        await listening?.stop()
        await thread?.stop()
        await work?.stop()
        await engine.close()
        await opened.close()
        log.info('switchyard stopped')
      })()
      return stopping
    },
  }
}
