import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { guardWrites, type ThreadWriteLock } from '@switchyard/storage'

export interface OpenOptions {
  /** `FULL` survives power loss; `NORMAL` (default) survives a crash of the process. */
  synchronous?: 'NORMAL' | 'FULL'
  /** Shared with the other threads of this process that write to the same file (see ThreadWriteLock). */
  writeLock?: ThreadWriteLock
  /**
   * `background`: a `startBackgroundCheckpoint` thread copies the WAL into the file, and this
   * connection checkpoints only past four times the usual threshold, should that thread fall behind.
   */
  checkpoint?: 'inline' | 'background'
}

/** The WAL is cut back to this size after each checkpoint, so it does not keep its peak size. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024

/**
 * The page size of a new file. Against SQLite's 4 KB, 16 KB pages took 7% less server CPU on the
 * end-to-end bench (50,000 users: 7.5-7.9 against 8.2-8.4 CPU s, three runs each) with the same
 * ingest-to-sent latency at 5,000 users/s: the engine thread and the main thread each write
 * through their own connection, a commit by one empties the other's page cache, and the pages
 * read back and written to the WAL are a third as many syscalls. A file made before keeps its size.
 */
export const PAGE_SIZE_BYTES = 16 * 1024

/** A checkpoint runs when the WAL holds about this much, whatever the page size (larger ones stall a commit longer). */
export const CHECKPOINT_BYTES = 40 * 1024 * 1024

/** Opens (creating if needed) a SQLite file in WAL mode, tuned for one writer process. */
export function openDatabase(path: string, options: OpenOptions = {}): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  // Takes effect only before the file's first table (or in the VACUUM below).
  db.pragma(`page_size = ${PAGE_SIZE_BYTES}`)
  useIncrementalVacuum(db)
  db.pragma('journal_mode = WAL')
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`)
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`)
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  db.pragma('cache_size = -65536')
  db.pragma('temp_store = MEMORY')
  db.pragma(`wal_autocheckpoint = ${Math.round(((options.checkpoint === 'background' ? 4 : 1) * CHECKPOINT_BYTES) / pageSize(db))}`)
  if (options.writeLock) guardWrites(db, options.writeLock)
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

/** The file's page size in bytes. */
export function pageSize(db: Database.Database): number {
  return Number(db.pragma('page_size', { simple: true }))
}
