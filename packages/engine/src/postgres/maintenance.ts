import type pg from 'pg'
import type { DatabaseSizes } from '../maintenance'

/**
 * Why `POST /api/system/backup` has nothing to send on PostgreSQL: the server is one of many
 * clients of a database it does not own, so a copy is the database's own tools' job.
 */
export interface BackupRefusal {
  code: 'backup.postgres'
  message: string
  /** What to run instead. */
  hint: string
}

/** What an operator sees of a PostgreSQL database while the server runs: its size; backups are refused. */
export interface PostgresMaintenance {
  readonly kind: 'postgres'
  sizes(): Promise<DatabaseSizes>
  backup(): BackupRefusal
}

export function postgresMaintenance(pool: pg.Pool): PostgresMaintenance {
  return {
    kind: 'postgres',
    async sizes() {
      // Exact counts, as on SQLite: a scan each, fine at scrape intervals for the row counts retention keeps.
      const r = await pool.query<DatabaseSizes>(
        `SELECT pg_database_size(current_database()) AS "databaseBytes",
                (SELECT count(*) FROM journal) AS "journalRows",
                (SELECT count(*) FROM history) AS "historyRows"`,
      )
      return r.rows[0] ?? { databaseBytes: 0, journalRows: 0, historyRows: 0 }
    },
    backup() {
      return {
        code: 'backup.postgres',
        message: 'This server runs on PostgreSQL, which it shares with other processes: take a backup with the database’s own tools.',
        hint: 'pg_dump --format=custom --file=switchyard.dump "$DATABASE_URL"',
      }
    },
  }
}
