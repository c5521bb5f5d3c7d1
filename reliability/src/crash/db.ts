import Database from 'better-sqlite3'
import { openPostgres } from '@switchyard/storage'

/** Read-only queries on what a run left behind, on either backend (the checks' SQL is plain and portable). */
export interface ReadDb {
  all<T>(sql: string): Promise<T[]>
  close(): Promise<void>
}

/** `postgres://...` or a SQLite file path. */
export function openReadDb(target: string): ReadDb {
  if (/^postgres(ql)?:\/\//.test(target)) {
    const pool = openPostgres(target, { max: 2, applicationName: 'switchyard-check' })
    return {
      all: async <T>(sql: string) => (await pool.query(sql)).rows as T[],
      close: () => pool.end(),
    }
  }
  const db = new Database(target, { readonly: true, fileMustExist: true })
  return {
    all: async <T>(sql: string) => db.prepare(sql).all() as T[],
    close: async () => void db.close(),
  }
}

export async function count(db: ReadDb, sql: string): Promise<number> {
  const rows = await db.all<{ n: number | string | null }>(sql)
  return Number(rows[0]?.n ?? 0)
}
