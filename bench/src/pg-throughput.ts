import { cpus } from 'node:os'
import { PgEngineStore } from '@switchyard/engine'
import { openPostgres } from '@switchyard/storage'
import { createTestDatabase } from '@switchyard/storage/testing'
import { engineThroughput, openSqliteBenchStore, type BenchStore } from './throughput'
import { progress } from './util'

/** The Netcore figure's store on a new PostgreSQL database (the machine's, as the tests use), dropped afterwards. */
export async function openPostgresBenchStore(): Promise<BenchStore> {
  const database = await createTestDatabase('bench_engine')
  const pool = openPostgres(database.url, { max: 8, applicationName: 'switchyard-bench' })
  const store = await PgEngineStore.open(pool, Date.now())
  return {
    store,
    cleanup: async () => {
      await pool.end()
      await database.drop()
    },
  }
}

/**
 * `tsx src/pg-throughput.ts [users]`: events/s the engine applies in one process on the Netcore
 * journey (trigger -> message -> wait for a click -> webhook), on PostgreSQL and, for comparison,
 * on SQLite, with the same workload as figure 2 of `pnpm bench`.
 */
async function main(): Promise<void> {
  const users = Number(process.argv[2] ?? 20_000)
  progress(`engine throughput on ${users} users, ${cpus().length} cores shared with PostgreSQL`)
  const pg = await engineThroughput(users, openPostgresBenchStore)
  const sqlite = await engineThroughput(users, openSqliteBenchStore)
  const line = (name: string, r: typeof pg) => `${name.padEnd(10)} ${String(r.eventsPerSecond).padStart(7)} events/s applied (${r.events} events in ${r.seconds} s, ${r.completed} webhooks), ingest ${r.ingestPerSecond}/s`
  process.stdout.write(`${line('postgres', pg)}\n${line('sqlite', sqlite)}\n`)
}

if (process.argv[1]?.endsWith('pg-throughput.ts')) await main()
