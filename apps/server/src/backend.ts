import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import type Database from 'better-sqlite3'
import type { Pool } from 'pg'
import { SqliteEngineStore, SqliteRetention, openDatabase, sqliteMaintenance, type Clock, type DatabaseMaintenance, type EngineStore, type RetentionPolicy } from '@switchyard/engine'
import { openPostgres, redactUrl } from '@switchyard/storage'
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
  | { kind: 'sqlite'; db: Database.Database; path: string }
  | { kind: 'postgres'; pool: Pool; url: string }

export interface OpenedBackend {
  backend: Backend
  store: EngineStore
  /** Sizes and backups where the backend has them. */
  maintenance: DatabaseMaintenance | null
  retention(policy: RetentionPolicy, log: Logger, integrations: Integrations): RetentionTask
  /** How many partitions this process holds now (PostgreSQL). */
  partitionsHeld(): number
  /** For the start-up line: the file, or the URL without its password. */
  describe: string
  close(): Promise<void>
}

export async function openBackend(config: Config, clock: Clock): Promise<OpenedBackend> {
  if (config.database === 'postgres') return openPostgresBackend(config)
  if (config.sqlitePath !== ':memory:') mkdirSync(dirname(config.sqlitePath), { recursive: true, mode: 0o700 })
  const release = lockSqliteFile(config.sqlitePath)
  try {
    ownerOnly(config.sqlitePath)
    const db = openDatabase(config.sqlitePath, { synchronous: config.sqliteSynchronous === 'full' ? 'FULL' : 'NORMAL' })
    const store = new SqliteEngineStore(db, clock.now())
    return {
      backend: { kind: 'sqlite', db, path: config.sqlitePath },
      store,
      maintenance: sqliteMaintenance(db),
      retention: (policy, log, integrations) => new RetentionTask(new SqliteRetention(store, policy), policy, clock, log, integrations),
      partitionsHeld: () => 1,
      describe: config.sqlitePath,
      close: async () => release(),
    }
  } catch (error) {
    release()
    throw error
  }
}

async function openPostgresBackend(config: Config): Promise<OpenedBackend> {
  const pool = openPostgres(config.databaseUrl, { applicationName: `switchyard-${config.role}` })
  await pool.end()
  throw new Error(`The engine's PostgreSQL store is not wired in yet (${redactUrl(config.databaseUrl)}).`)
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
