import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migratePostgres, migrateSqlite, type ComponentMigrations } from './migrate'
import { openPostgres } from './postgres'
import { createTestDatabase, type TestDatabase } from './testing'

const steps: ComponentMigrations = {
  component: 'demo',
  sqlite: [
    { version: 2, name: 'a column', up: 'ALTER TABLE things ADD COLUMN size INTEGER' },
    { version: 1, name: 'a table', up: 'CREATE TABLE things (id TEXT PRIMARY KEY)' },
  ],
  postgres: [
    { version: 1, name: 'a table', up: 'CREATE TABLE things (id TEXT PRIMARY KEY)' },
    { version: 2, name: 'a column', up: async (c) => void (await c.query('ALTER TABLE things ADD COLUMN size INTEGER')) },
  ],
}

describe('migrateSqlite', () => {
  it('applies steps in version order once, and records each', () => {
    const db = new Database(':memory:')
    expect(migrateSqlite(db, steps, 5)).toEqual([1, 2])
    expect(migrateSqlite(db, steps, 6)).toEqual([])
    db.prepare('INSERT INTO things (id, size) VALUES (?, ?)').run('x', 3)
    expect(db.prepare('SELECT component, version, applied_at FROM migrations ORDER BY version').all()).toEqual([
      { component: 'demo', version: 1, applied_at: 5 },
      { component: 'demo', version: 2, applied_at: 5 },
    ])
  })

  it('leaves nothing of a step that fails, and refuses a version listed twice', () => {
    const db = new Database(':memory:')
    const broken: ComponentMigrations = { ...steps, sqlite: [steps.sqlite[1]!, { version: 2, name: 'bad', up: 'CREATE TABLE t2 (a); SELECT nope FROM nowhere' }] }
    expect(() => migrateSqlite(db, broken)).toThrow(/nowhere/)
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 't2'").get()).toEqual({ n: 0 })
    expect(db.prepare('SELECT version FROM migrations').all()).toEqual([{ version: 1 }])
    expect(() => migrateSqlite(db, { ...steps, sqlite: [steps.sqlite[1]!, steps.sqlite[1]!] })).toThrow(/listed twice/)
  })
})

describe('migratePostgres', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase('migrate')
  })
  afterAll(async () => {
    await database.drop()
  })

  it('migrates once when several processes start together, and a later start finds nothing to do', async () => {
    const pools = [openPostgres(database.url), openPostgres(database.url), openPostgres(database.url)]
    try {
      const results = await Promise.all(pools.map((p) => migratePostgres(p, [steps], 7)))
      expect(results.map((r) => r.demo).sort()).toEqual([[], [], [1, 2]])
      expect(await migratePostgres(pools[0]!, [steps])).toEqual({ demo: [] })
      const rows = await pools[0]!.query('SELECT component, version, applied_at FROM migrations ORDER BY version')
      expect(rows.rows).toEqual([
        { component: 'demo', version: 1, applied_at: 7 },
        { component: 'demo', version: 2, applied_at: 7 },
      ])
      await pools[1]!.query("INSERT INTO things (id, size) VALUES ('x', 3)")
    } finally {
      await Promise.all(pools.map((p) => p.end()))
    }
  })

  it('rolls back every step of a start that fails', async () => {
    const pool = openPostgres(database.url)
    try {
      const bad: ComponentMigrations = { component: 'other', sqlite: [], postgres: [{ version: 1, name: 'ok', up: 'CREATE TABLE t3 (a INT)' }, { version: 2, name: 'bad', up: 'SELECT nope FROM nowhere' }] }
      await expect(migratePostgres(pool, [bad])).rejects.toThrow(/nowhere/)
      const t3 = await pool.query("SELECT to_regclass('t3') AS t")
      expect(t3.rows[0]).toEqual({ t: null })
      expect((await pool.query("SELECT count(*)::int AS n FROM migrations WHERE component = 'other'")).rows[0]).toEqual({ n: 0 })
    } finally {
      await pool.end()
    }
  })
})
