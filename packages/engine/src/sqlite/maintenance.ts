import { statSync } from 'node:fs'
import { dirname } from 'node:path'
import type Database from 'better-sqlite3'
import type { DatabaseSizes } from '../maintenance'

/** What an operator does to the database while the server runs: copy it, and watch it grow. */
export interface DatabaseMaintenance {
  readonly kind: 'sqlite'
  /** A folder on the database's own file system, for copies as large as the database. */
  readonly scratchDir: string
  /** Writes a consistent copy to `destination` while writers go on; resolves with its size. */
  backup(destination: string, onProgress?: (fraction: number) => void): Promise<{ bytes: number }>
  sizes(): DatabaseSizes
}

const fileBytes = (path: string): number => {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

export function sqliteMaintenance(db: Database.Database): DatabaseMaintenance {
  const journalRows = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM journal')
  const historyRows = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM history')
  return {
    kind: 'sqlite',
    scratchDir: dirname(db.name),
    async backup(destination, onProgress) {
      // SQLite's online backup API: pages are copied in steps between which writers commit;
      // a step that sees a change made by another connection starts over, ours does not need to.
      await db.backup(destination, {
        progress: ({ totalPages, remainingPages }) => {
          onProgress?.(totalPages === 0 ? 1 : 1 - remainingPages / totalPages)
          return 1024
        },
      })
      return { bytes: fileBytes(destination) }
    },
    sizes() {
      return {
        databaseBytes: fileBytes(db.name) + fileBytes(`${db.name}-wal`),
        journalRows: journalRows.get()?.n ?? 0,
        historyRows: historyRows.get()?.n ?? 0,
      }
    },
  }
}
