import pg from 'pg'

/** `postgres://` and `postgresql://` URLs name a PostgreSQL database; anything else is SQLite. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url)
}

// BIGINT columns hold epoch milliseconds and counts, all below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

export interface PostgresOptions {
  /** Most connections this process holds. */
  max?: number
  /** Shown in pg_stat_activity. */
  applicationName?: string
}

/** A pool on a PostgreSQL URL; the caller ends it (`pool.end()`). */
export function openPostgres(url: string, o: PostgresOptions = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: o.max ?? 10, application_name: o.applicationName ?? 'switchyard' })
  // An idle client losing its connection (a restarted server) must not crash the process: the pool drops it.
  pool.on('error', () => undefined)
  return pool
}

/** Runs `fn` in one transaction on one client: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const out = await fn(client)
    await client.query('COMMIT')
    return out
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

/** The URL with its password hidden, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return '(unparsable database URL)'
  }
}
