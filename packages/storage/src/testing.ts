import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe } from 'vitest'
import { migratePostgres, type ComponentMigrations } from './migrate'
import { openPostgres } from './postgres'
import type { StoreBackend } from './backend'
import type { JoinedWrite } from './joined-write'

/** Where tests create their databases: the machine's PostgreSQL unless `SWITCHYARD_PG_ADMIN_URL` says otherwise. */
export const PG_ADMIN_URL = process.env.SWITCHYARD_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase {
  url: string
  name: string
  drop(): Promise<void>
}

/** A new, empty database of its own for one test file; `drop()` removes it, connections and all. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `sy_${label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`
  await admin(`CREATE DATABASE ${name}`)
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return { url: url.toString(), name, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

export interface PostgresForTests {
  /** The pool on this file's database; valid from `beforeAll` on. */
  readonly pool: pg.Pool
  readonly url: string
}

/**
 * A database for one test file: created before its tests, dropped after them, with one pool on it.
 * Call it at the top of a test file (it registers vitest hooks).
 */
export function postgresPerFile(label: string): PostgresForTests {
  let database: TestDatabase | null = null
  let pool: pg.Pool | null = null
  beforeAll(async () => {
    database = await createTestDatabase(label)
    pool = openPostgres(database.url)
  })
  afterAll(async () => {
    await pool?.end()
    await database?.drop()
  })
  return {
    get pool() {
      if (pool === null) throw new Error('the test database is made in beforeAll')
      return pool
    },
    get url() {
      if (database === null) throw new Error('the test database is made in beforeAll')
      return database.url
    },
  }
}

/**
 * Registers `tests` twice, under "on SQLite" and "on PostgreSQL": the same tests, each time with
 * `backend()` opening what that backend's run needs (on PostgreSQL, from this file's database).
 */
export function eachBackend<T>(label: string, open: { sqlite: () => Promise<T>; postgres: (pool: pg.Pool) => Promise<T> }, tests: (backend: () => Promise<T>) => void): void {
  describe('on SQLite', () => tests(open.sqlite))
  describe('on PostgreSQL', () => {
    const database = postgresPerFile(label)
    tests(() => open.postgres(database.pool))
  })
}

/** Migrates a component's tables on a test database and empties them, for a test that starts from nothing. */
export async function emptyTables(pool: pg.Pool, migrations: ComponentMigrations, tables: readonly string[]): Promise<void> {
  await migratePostgres(pool, [migrations], 0)
  await pool.query(`TRUNCATE ${tables.join(', ')}`)
}

/**
 * PostgreSQL for one test file: a database of its own, made on first use and dropped after the
 * file, with a new schema for each app or store a test opens, so every test starts empty without
 * a database each (a schema costs milliseconds, a database most of a second). Call at the top
 * level of a test file, or of a module it imports.
 */
export function postgresSchemas(label: string) {
  let database: Promise<TestDatabase> | null = null
  const pools = new Set<pg.Pool>()
  let schemas = 0
  afterAll(async () => {
    await Promise.all([...pools].map((p) => p.end().catch(() => undefined)))
    if (database) await (await database).drop()
  })
  const url = async () => (await (database ??= createTestDatabase(label))).url
  return {
    /** A new empty schema's name. */
    async newSchema(): Promise<string> {
      const schema = `s${++schemas}`
      const admin = new pg.Client({ connectionString: await url() })
      await admin.connect()
      try {
        await admin.query(`CREATE SCHEMA ${schema}`)
      } finally {
        await admin.end()
      }
      return schema
    },
    /** A pool whose tables are the schema's; ended after the file unless `endOnce` is called first. */
    async pool(schema: string): Promise<pg.Pool & { endOnce(): Promise<void> }> {
      const pool = openPostgres(await url(), { max: 4 })
      pool.options.options = `-c search_path=${schema}`
      pools.add(pool)
      return Object.assign(pool, {
        endOnce: async () => {
          if (pools.delete(pool)) await pool.end()
        },
      })
    },
  }
}

/**
 * Runs a joined write inside a transaction on the backend's database, as the store owning the
 * transaction would: committed (then its `committed` hook), or rolled back after it when `rollback`.
 */
export async function runJoined(backend: StoreBackend, write: JoinedWrite, o: { rollback?: boolean } = {}): Promise<void> {
  if (backend.kind === 'sqlite') {
    const { db } = backend
    db.exec('BEGIN IMMEDIATE')
    try {
      write.sqlite(db)
    } catch (error) {
      db.exec('ROLLBACK')
      throw error
    }
    db.exec(o.rollback ? 'ROLLBACK' : 'COMMIT')
  } else {
    const client = await backend.pool.connect()
    try {
      await client.query('BEGIN')
      try {
        await write.postgres(client)
      } catch (error) {
        await client.query('ROLLBACK')
        throw error
      }
      await client.query(o.rollback ? 'ROLLBACK' : 'COMMIT')
    } finally {
      client.release()
    }
  }
  if (!o.rollback) write.committed?.()
}
