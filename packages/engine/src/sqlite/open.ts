import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

export interface OpenOptions {
  /** `FULL` survives power loss; `NORMAL` (default) survives a crash of the process. */
  synchronous?: 'NORMAL' | 'FULL'
}

/** The WAL is cut back to this size after each checkpoint, so it does not keep its peak size. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024

/** Opens (creating if needed) a SQLite file in WAL mode, tuned for one writer process. */
export function openDatabase(path: string, options: OpenOptions = {}): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  useIncrementalVacuum(db)
  db.pragma('journal_mode = WAL')
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`)
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`)
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  db.pragma('cache_size = -65536')
  db.pragma('temp_store = MEMORY')
  db.pragma('wal_autocheckpoint = 10000')
  return db
}

/**
 * Pages freed by deletions go back to the file system a few at a time (`incremental_vacuum`)
 * instead of staying in the file forever. The mode must be chosen before the first table exists;
 * a database made before it is rebuilt once with VACUUM.
 */
function useIncrementalVacuum(db: Database.Database): void {
  const INCREMENTAL = 2
  if (db.pragma('auto_vacuum', { simple: true }) === INCREMENTAL) return
  db.pragma('auto_vacuum = INCREMENTAL')
  const tables = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get()?.n ?? 0
  if (tables > 0) db.exec('VACUUM')
}

/** `sqlite:./data/switchyard.db` -> `./data/switchyard.db`; plain paths pass through. */
export function sqlitePathFromUrl(url: string): string {
  if (url.startsWith('sqlite://')) return url.slice('sqlite://'.length)
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length)
  if (url.startsWith('file:')) return url.slice('file:'.length)
  return url
}
