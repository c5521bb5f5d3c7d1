import type Database from 'better-sqlite3'
import type { Pool } from 'pg'

/**
 * The database a server runs on, chosen by `DATABASE_URL`: one SQLite file (the default) or a
 * PostgreSQL database that several processes share. Every store is built from it in one place.
 */
export type Backend =
  | { kind: 'sqlite'; db: Database.Database; path: string }
  | { kind: 'postgres'; pool: Pool; url: string }
