import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import type Database from 'better-sqlite3'
import type { Pool } from 'pg'
import { PgEngineStore, PgRetention, SqliteEngineStore, SqliteRetention, openDatabase, postgresMaintenance, startBackgroundCheckpoint, sqliteMaintenance, type BackendMaintenance, type Clock, type EngineStore, type PartitionScope, type RetentionPolicy } from '@switchyard/engine'
import { PartitionLeases, ThreadWriteLock, openPostgres, redactUrl } from '@switchyard/storage'
import type { Config } from './config'
import type { Integrations } from './integrations'
import type { Logger } from './log'
import { RetentionTask } from './retention'
import { lockSqliteFile } from './sqlite-lock'

/**
 * The database a server runs on, chosen by `DATABASE_URL`: one SQLite file (the default) or a
 * PostgreSQL database that several processes share. Every store is built from it in one place.
 */
export type Backend =
  | { kind: 'sqlite'; db: Database.Database; path: string; writeLock: ThreadWriteLock }
  | { kind: 'postgres'; pool: Pool; url: string }

export interface OpenedBackend {
  backend: Backend
  store: EngineStore
  /** Sizes and backups where the backend has them. */
  maintenance: BackendMaintenance | null
  retention(policy: RetentionPolicy, log: Logger, integrations: Integrations): RetentionTask
  /** How many partitions this process holds now (PostgreSQL). */
  partitionsHeld(): number
  /** For the start-up line: the file, or the URL without its password. */
  describe: string
  close(): Promise<void>
}

export interface BackendOptions {
  /** SQLite: checkpoint the WAL on a thread of its own (with the engine thread, whose commits it keeps short). */
  backgroundCheckpoint?: boolean
}

export async function openBackend(config: Config, clock: Clock, log: Logger, options: BackendOptions = {}): Promise<OpenedBackend> {
  if (config.database === 'postgres') return openPostgresBackend(config, clock, log)
  if (config.sqlitePath !== ':memory:') mkdirSync(dirname(config.sqlitePath), { recursive: true, mode: 0o700 })
  const release = lockSqliteFile(config.sqlitePath)
  try {
    ownerOnly(config.sqlitePath)
    // Shared with the engine thread, which writes to the same file through its own connection.
    const writeLock = new ThreadWriteLock()
    const background = options.backgroundCheckpoint === true
    const db = openDatabase(config.sqlitePath, { synchronous: config.sqliteSynchronous === 'full' ? 'FULL' : 'NORMAL', writeLock, checkpoint: background ? 'background' : 'inline' })
    const store = new SqliteEngineStore(db, clock.now())
    const checkpoint = background ? startBackgroundCheckpoint(config.sqlitePath, { onFailure: (error) => log.warn('background checkpoint failed; commits checkpoint the WAL themselves meanwhile', { error }) }) : null
    return {
      backend: { kind: 'sqlite', db, path: config.sqlitePath, writeLock },
      store,
      maintenance: sqliteMaintenance(db),
      retention: (policy, log, integrations) => new RetentionTask(new SqliteRetention(store, policy), policy, clock, log, integrations),
      partitionsHeld: () => 1,
      describe: config.sqlitePath,
      close: async () => {
        await checkpoint?.stop()
        release()
      },
    }
  } catch (error) {
    release()
    throw error
  }
}

/**
 * PostgreSQL, shared with any number of processes. A process that applies events (`worker`,
 * `both`) leases partitions before it serves; an `api` process holds none, so it only appends to
 * the journal and reads. Leases are handed back on a graceful stop.
 */
async function openPostgresBackend(config: Config, clock: Clock, log: Logger): Promise<OpenedBackend> {
  const url = redactUrl(config.databaseUrl)
  const pool = openPostgres(config.databaseUrl, { applicationName: `switchyard-${config.role}` })
  try {
    await pool.query('SELECT 1').catch((error: unknown) => {
      throw new Error(`Cannot reach PostgreSQL at ${url}: ${error instanceof Error ? error.message : String(error)}. Is it running, and does the database exist?`)
    })
    let leases: PartitionLeases | null = null
    let scope: PartitionScope = { held: () => new Map(), fence: async () => undefined }
    if (config.role !== 'api') {
      leases = await PartitionLeases.open(pool, {
        partitions: config.partitions,
        onChange: (c) => log.info('partitions changed hands', { held: c.held.size, acquired: c.acquired.length, lost: c.lost.length, released: c.released.length }),
        onError: (error) => log.warn('partition lease renewal failed', { error: error instanceof Error ? error.message : String(error) }),
      })
      scope = leases
    }
    const store = await PgEngineStore.open(pool, clock.now(), { partitions: config.partitions, scope })
    if (store.partitions !== config.partitions) {
      throw new Error(`PARTITIONS is ${config.partitions} but this database was set up with ${store.partitions} partitions; the number is fixed when the database is created. Set PARTITIONS=${store.partitions}.`)
    }
    await leases?.start()
    return {
      backend: { kind: 'postgres', pool, url: config.databaseUrl },
      store,
      maintenance: postgresMaintenance(pool),
      retention: (policy, log, integrations) => new RetentionTask(new PgRetention(store, policy), policy, clock, log, integrations),
      partitionsHeld: () => leases?.held().size ?? 0,
      describe: url,
      close: async () => {
        await leases?.stop(true)
        await pool.end()
      },
    }
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw error
  }
}

/**
 * The database file and its WAL hold users' data and sealed secrets: owner-only (0600). The file
 * is created before SQLite opens it, because SQLite gives `-wal` and `-shm` the database's mode.
 */
function ownerOnly(sqlitePath: string): void {
  if (sqlitePath === ':memory:') return
  mkdirSync(dirname(sqlitePath), { recursive: true, mode: 0o700 })
  closeSync(openSync(sqlitePath, 'a', 0o600))
  for (const file of [sqlitePath, `${sqlitePath}-wal`, `${sqlitePath}-shm`]) if (existsSync(file)) chmodSync(file, 0o600)
}
