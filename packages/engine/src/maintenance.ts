import type { PostgresMaintenance } from './postgres/maintenance'
import type { DatabaseMaintenance } from './sqlite/maintenance'

/** The database's size and what grows in it, for /metrics. */
export interface DatabaseSizes {
  /** SQLite: the database file plus its WAL; PostgreSQL: `pg_database_size`. */
  databaseBytes: number
  journalRows: number
  historyRows: number
}

/** Sizes and backups on either backend: switch on `kind` (`sizes()` may be awaited on both). */
export type BackendMaintenance = DatabaseMaintenance | PostgresMaintenance
