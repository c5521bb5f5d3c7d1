import { randomBytes } from 'node:crypto'
import pg from 'pg'

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
