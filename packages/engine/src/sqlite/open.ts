import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

export interface OpenOptions {
  /** `FULL` survives power loss; `NORMAL` (default) survives a crash of the process. */
  synchronous?: 'NORMAL' | 'FULL'
}

/** Opens (creating if needed) a SQLite file in WAL mode, tuned for one writer process. */
export function openDatabase(path: string, options: OpenOptions = {}): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`)
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  db.pragma('cache_size = -65536')
  db.pragma('temp_store = MEMORY')
  db.pragma('wal_autocheckpoint = 10000')
  return db
}

/** `sqlite:./data/switchyard.db` -> `./data/switchyard.db`; plain paths pass through. */
export function sqlitePathFromUrl(url: string): string {
  if (url.startsWith('sqlite://')) return url.slice('sqlite://'.length)
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length)
  if (url.startsWith('file:')) return url.slice('file:'.length)
  return url
}
