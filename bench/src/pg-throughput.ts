import { readdirSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { PgEngineStore } from '@switchyard/engine'
import { openPostgres } from '@switchyard/storage'
import { createTestDatabase } from '@switchyard/storage/testing'
import { engineThroughput, openSqliteBenchStore, type BenchStore } from './throughput'
import { progress } from './util'

/** CPU seconds this process and the machine's PostgreSQL processes used while the last PostgreSQL store was open. */
export const cpuSpent = { engine: 0, postgres: 0 }

/** The Netcore figure's store on a new PostgreSQL database (the machine's, as the tests use), dropped afterwards. */
export async function openPostgresBenchStore(): Promise<BenchStore> {
  const database = await createTestDatabase('bench_engine')
  const pool = openPostgres(database.url, { max: 8, applicationName: 'switchyard-bench' })
  const store = await PgEngineStore.open(pool, Date.now())
  const engineAt = process.cpuUsage()
  const postgresAt = postgresCpuSeconds()
  return {
    store,
    cleanup: async () => {
      const used = process.cpuUsage(engineAt)
      cpuSpent.engine = (used.user + used.system) / 1e6
      // Sampled before the pool ends, while its backends are alive; other users of the server count too.
      cpuSpent.postgres = postgresCpuSeconds() - postgresAt
      await pool.end()
      await database.drop()
    },
  }
}

/** utime + stime of every process named `postgres` (Linux /proc; 0 elsewhere), in seconds. */
export function postgresCpuSeconds(): number {
  const TICKS = 100
  let ticks = 0
  let pids: string[] = []
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return 0
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue
      const fields = stat.slice(close + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return ticks / TICKS
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
  const perThousand = (seconds: number) => ((seconds / pg.events) * 1000).toFixed(3)
  process.stdout.write(`${line('postgres', pg)}\n${line('sqlite', sqlite)}\n`)
  process.stdout.write(`postgres run, CPU seconds per 1,000 events (ingest and apply): engine process ${perThousand(cpuSpent.engine)}, PostgreSQL ${perThousand(cpuSpent.postgres)}\n`)
}

if (process.argv[1]?.endsWith('pg-throughput.ts')) await main()
