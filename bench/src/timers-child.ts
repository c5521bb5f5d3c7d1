/**
 * The timer figure's process: the engine and its runner as the server runs them, on a database
 * with waiting users. Prints progress lines, then one JSON line with lateness and RSS.
 * `node --import tsx src/timers-child.ts <file> <expected> <deadline ms epoch>`
 */
import { Engine, EngineRunner, PgEngineStore, SqliteEngineStore, openDatabase, systemClock, type EngineStore } from '@switchyard/engine'
import { PartitionLeases, openPostgres } from '@switchyard/storage'

const [file = '', expectedText = '0', deadlineText = '0'] = process.argv.slice(2)
const expected = Number(expectedText)
const deadline = Number(deadlineText)
// Lateness histogram in ms (the last bucket holds everything later than a minute).
const histogram = new Uint32Array(60_001)
let fired = 0
let rssMax = 0
const rss = () => Math.round(process.memoryUsage.rss() / 1024 / 1024)

// A SQLite file, or a PostgreSQL URL: then this process leases every partition, as a lone worker does.
let store: EngineStore
let leases: PartitionLeases | null = null
let pool: ReturnType<typeof openPostgres> | null = null
if (file.startsWith('postgres')) {
  pool = openPostgres(file, { max: 8 })
  const partitions = Number((await pool.query<{ value: string }>("SELECT value FROM engine_meta WHERE key = 'partitions'")).rows[0]?.value ?? 64)
  leases = await PartitionLeases.open(pool, { partitions })
  await leases.start()
  store = await PgEngineStore.open(pool, Date.now(), { partitions, scope: leases })
} else {
  store = new SqliteEngineStore(openDatabase(file))
}
const engine = await Engine.open({
  store,
  clock: systemClock,
  workspace: 'bench',
  onApplied: (a) => {
    if (a.kind !== 'timers') return
    for (const due of a.since) {
      const late = Math.max(0, Math.min(60_000, a.committedAt - due))
      histogram[late] = (histogram[late] ?? 0) + 1
    }
    fired += a.since.length
  },
})
const runner = new EngineRunner(engine, { onError: (e) => process.stdout.write(`engine error: ${String(e)}\n`) })
runner.start()
const rssIdle = rss()
let lastReport = Date.now()
while (fired < expected && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 200))
  rssMax = Math.max(rssMax, rss())
  if (Date.now() - lastReport > 10_000) {
    lastReport = Date.now()
    process.stdout.write(`${fired.toLocaleString('en')} timers fired, RSS ${rss()} MB\n`)
  }
}
await runner.stop()
await engine.close()
await leases?.stop()
await pool?.end()

function quantile(q: number): number {
  let seen = 0
  const target = Math.ceil(q * fired)
  for (let ms = 0; ms < histogram.length; ms++) {
    seen += histogram[ms] ?? 0
    if (seen >= target) return ms
  }
  return Number.NaN
}
let max = 0
for (let ms = 0; ms < histogram.length; ms++) if ((histogram[ms] ?? 0) > 0) max = ms
process.stdout.write(`${JSON.stringify({ users: expected, fired, spreadSeconds: 60, p50: quantile(0.5), p99: quantile(0.99), max, rssMaxMb: rssMax, rssIdleMb: rssIdle })}\n`)
