import pg from 'pg'
import { afterAll } from 'vitest'
import { createTestDatabase, type TestDatabase } from '@switchyard/storage/testing'
import { PgEngineStore } from '../src/index'

/**
 * PostgreSQL for one test file: a database of its own, made on first use and dropped after the
 * file, with a fresh schema for each store a test opens (so every test starts empty, without a
 * database each). Call at the top level of a test file, or of a module one imports.
 */
export function postgresForTests(label: string) {
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
    /** A pool whose tables are the schema's; ended after the file unless `end` is called first. */
    async pool(schema: string): Promise<pg.Pool & { endOnce(): Promise<void> }> {
      const pool = new pg.Pool({ connectionString: await url(), options: `-c search_path=${schema}`, max: 4, idleTimeoutMillis: 1000 })
      pool.on('error', () => undefined)
      pools.add(pool)
      return Object.assign(pool, {
        endOnce: async () => {
          if (pools.delete(pool)) await pool.end()
        },
      })
    },
    async store(schema: string, now: number): Promise<PgEngineStore> {
      return PgEngineStore.open(await this.pool(schema), now)
    },
  }
}
