import type Database from 'better-sqlite3'
import type { Pool } from 'pg'

/**
 * The database a package's stores run on: the server's SQLite file, or a PostgreSQL pool that
 * several processes share. Services take it and build their stores from it.
 */
export type StoreBackend = { kind: 'sqlite'; db: Database.Database } | { kind: 'postgres'; pool: Pool }
