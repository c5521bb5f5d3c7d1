import Database from 'better-sqlite3'
import { SqliteEngineStore } from '../sqlite/store'

/**
 * The engine's own store on a private in-memory SQLite database: the same tables, statements and
 * transactions as the live file, gone when closed. Nothing in it reaches the live database.
 */
export function openMemoryStore(now: number): SqliteEngineStore {
  return new SqliteEngineStore(new Database(':memory:'), now)
}
