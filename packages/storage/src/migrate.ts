import type Database from 'better-sqlite3'
import type { Pool, PoolClient } from 'pg'

/**
 * One migration runner for both backends. Each package lists its steps per backend under its own
 * component name; the runner applies the steps a database has not recorded, in version order, each
 * with its row in the shared `migrations` table (component, version, applied_at). Never edit a
 * shipped step: add the next one.
 */
export interface SqliteStep {
  version: number
  name: string
  up: string | ((db: Database.Database) => void)
}

export interface PostgresStep {
  version: number
  name: string
  up: string | ((client: PoolClient) => Promise<void>)
}

export interface ComponentMigrations {
  component: string
  sqlite: readonly SqliteStep[]
  postgres: readonly PostgresStep[]
}

const TABLE = `CREATE TABLE IF NOT EXISTS migrations (
  component TEXT NOT NULL,
  version INTEGER NOT NULL,
  applied_at BIGINT NOT NULL,
  PRIMARY KEY (component, version))`

/** The steps still to apply, in order; a list with a repeated or non-positive version is a bug. */
export function pendingSteps<S extends { version: number }>(component: string, steps: readonly S[], applied: ReadonlySet<number>): S[] {
  const seen = new Set<number>()
  for (const s of steps) {
    if (!Number.isInteger(s.version) || s.version < 1) throw new Error(`${component}: migration version ${s.version} must be a positive integer`)
    if (seen.has(s.version)) throw new Error(`${component}: migration version ${s.version} is listed twice`)
    seen.add(s.version)
  }
  return [...steps].sort((a, b) => a.version - b.version).filter((s) => !applied.has(s.version))
}

/** Applies a component's SQLite steps, each in its own immediate transaction. Returns the versions applied. */
export function migrateSqlite(db: Database.Database, m: ComponentMigrations, now: number = Date.now()): number[] {
  db.exec(TABLE)
  const applied = new Set(
    db
      .prepare<[string], { version: number }>('SELECT version FROM migrations WHERE component = ?')
      .all(m.component)
      .map((r) => r.version),
  )
  const record = db.prepare('INSERT INTO migrations (component, version, applied_at) VALUES (?, ?, ?)')
  const ran: number[] = []
  for (const step of pendingSteps(m.component, m.sqlite, applied)) {
    db.transaction(() => {
      if (typeof step.up === 'string') db.exec(step.up)
      else step.up(db)
      record.run(m.component, step.version, now)
    }).immediate()
    ran.push(step.version)
  }
  return ran
}

/**
 * Applies components' PostgreSQL steps in one transaction under an advisory lock, so processes
 * starting together on one database migrate it once: the others wait, then find nothing to do.
 */
export async function migratePostgres(pool: Pool, components: readonly ComponentMigrations[], now: number = Date.now()): Promise<Record<string, number[]>> {
  const client = await pool.connect()
  const ran: Record<string, number[]> = {}
  try {
    await client.query('BEGIN')
    await client.query("SELECT pg_advisory_xact_lock(hashtext('switchyard.migrations'))")
    await client.query(TABLE)
    for (const m of components) {
      const rows = await client.query<{ version: number }>('SELECT version FROM migrations WHERE component = $1', [m.component])
      const applied = new Set(rows.rows.map((r) => r.version))
      ran[m.component] = []
      for (const step of pendingSteps(m.component, m.postgres, applied)) {
        if (typeof step.up === 'string') await client.query(step.up)
        else await step.up(client)
        await client.query('INSERT INTO migrations (component, version, applied_at) VALUES ($1, $2, $3)', [m.component, step.version, now])
        ran[m.component]!.push(step.version)
      }
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
  return ran
}
