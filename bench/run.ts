/**
 * `pnpm bench`: the performance suite of issue 7 on fresh temporary databases. Progress goes
 * to stderr, one table to stdout, every number to bench/results.json.
 * BENCH_QUICK=1 shrinks every size tenfold for a smoke run (its figures are not comparable).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { validateAndCompile } from './src/compile'
import { httpIngestion } from './src/http'
import { ingestToTransition } from './src/latency'
import { liquidRenders } from './src/liquid'
import { soak } from './src/soak'
import { backupTime } from './src/backup'
import { retentionPass } from './src/retention'
import { backtestSpeed, simulationSpeed } from './src/simulation'
import { engineThroughput, rawLimit } from './src/throughput'
import { describeEndToEnd, endToEndAtRate, endToEndFigures, type EndToEndResult } from './src/end-to-end'
import { rowCeiling } from './src/row-ceiling'
import { populateWaiting, restart, timers } from './src/waiting'
import { webhookDeliveries } from './src/webhooks'
import { REPO } from './src/server'
import { postgresApply, postgresWaiting } from './src/postgres'
import { progress, round, tempDir } from './src/util'

const quick = process.env.BENCH_QUICK === '1'
const scale = quick ? 0.1 : 1
const USERS = 100_000 * scale
const WAITING = 1_000_000 * scale
const HTTP_SECONDS = quick ? 3 : 10
const LATENCY_SECONDS = quick ? 5 : 20
/** Users of the end-to-end figure: E2E_USERS, else 100,000 (10,000 when quick). */
const E2E_USERS = Number(process.env.E2E_USERS ?? 100_000 * scale)
/** Users of the end-to-end figure with a 20 KB email: E2E_LARGE_USERS, else 25,000 (2,500 when quick). */
const E2E_LARGE_USERS = Number(process.env.E2E_LARGE_USERS ?? 25_000 * scale)
/** Users of the fixed-rate figure: E2E_RATE_USERS, else 50,000 (10 s at 5,000 a second). */
const E2E_RATE_USERS = Number(process.env.E2E_RATE_USERS ?? 50_000 * scale)
/** The offered rate of that figure, users/s: E2E_RATE, else issue 12's 5,000. */
const E2E_RATE = Number(process.env.E2E_RATE ?? 5000)

interface Row {
  figure: string
  target: string
  measured: string
  pass: boolean | null
}

const rows: Row[] = []
const results: Record<string, unknown> = {}
const row = (figure: string, target: string, measured: string, pass: boolean | null) => {
  rows.push({ figure, target, measured, pass })
  progress(`${figure}: ${measured}${pass === null ? '' : pass ? '  PASS' : '  FAIL'}`)
}
const n = (x: number) => Math.round(x).toLocaleString('en')

async function main(): Promise<void> {
  const t0 = performance.now()
  progress(`Switchyard bench on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}${quick ? ' (QUICK: sizes / 10)' : ''}`)

  progress('(8) validate + compile a 1,000-node graph')
  const compile = validateAndCompile(1000)
  results.compile = compile
  row('8. validate + compile, 1,000 nodes', '< 100 ms', `${compile.p50Ms} ms p50 (first call ${compile.coldMs} ms)`, compile.p50Ms < 100)

  await simulationFigures()

  progress(`(10) retention: one pass over ${n(USERS)} old journal rows`)
  const retention = await retentionPass(USERS)
  results.retention = retention
  row(
    `10. retention pass, ${n(retention.rows)} journal rows`,
    'steps of a few ms',
    `${n(retention.passMs)} ms; steps p50 ${retention.stepP50Ms} / p99 ${retention.stepP99Ms} / max ${retention.longestBatchMs} ms (${retention.steps}); ${retention.fileMbBefore} -> ${retention.fileMbAfter} MB`,
    null,
  )

  progress('(9) Liquid message renders on the worker pool')
  const liquid = await liquidRenders(Math.max(2000, 20_000 * scale))
  results.liquid = liquid
  row('9. Liquid renders on the worker pool (64 in flight)', '(info)', `${n(liquid.rendersPerSecond)}/s, p50 ${liquid.p50Ms} / p99 ${liquid.p99Ms} ms`, null)
  row('9. two hostile templates cut off', '< 1 s, loop lag < 100 ms', `${liquid.hostileCutOffMs} ms, event loop lag max ${liquid.loopLagMaxMs} ms`, liquid.hostileCutOffMs < 1000 && liquid.loopLagMaxMs < 100)

  progress(`(1) raw limit: ${n(USERS)} users × 4 events, transition() + batched upserts`)
  const rawXstate = rawLimit(USERS, 'xstate')
  const rawScope = rawLimit(USERS, 'scope')
  results.raw = { xstateTransition: rawXstate, reusedScope: rawScope }
  row('1. raw limit: xstate transition() + SQLite upserts', 'ceiling', `${n(rawXstate.eventsPerSecond)} events/s`, null)
  row('1. raw limit: same, one reused actor scope', 'ceiling', `${n(rawScope.eventsPerSecond)} events/s`, null)

  progress(`(2) engine end to end: ${n(USERS)} users on the Netcore journey`)
  const engine = await engineThroughput(USERS)
  results.engine = engine
  const ratioXstate = round(engine.eventsPerSecond / rawXstate.eventsPerSecond, 2)
  const ratioScope = round(engine.eventsPerSecond / rawScope.eventsPerSecond, 2)
  row(`2. engine throughput, Netcore, ${n(USERS)} users`, '>= 25,000 events/s', `${n(engine.eventsPerSecond)} events/s (${n(engine.events)} events, ${engine.completed} webhooks)`, engine.eventsPerSecond >= 25_000)
  row('2. engine / raw limit with transition()', '>= 0.7', `${ratioXstate}`, ratioXstate >= 0.7)
  row('2. engine / raw limit with the reused scope', '>= 0.7', `${ratioScope}`, ratioScope >= 0.7)

  progress('(4) ingest-to-transition latency at 5,000 events/s')
  const latency = await ingestToTransition(5000, LATENCY_SECONDS)
  results.latency = latency
  row('4. ingest-to-transition at 5,000 events/s', 'p95 < 50 ms', `p50 ${latency.p50} / p95 ${latency.p95} / p99 ${latency.p99} ms`, latency.p95 < 50)

  progress('(3) HTTP ingestion: real server process, autocannon in another process')
  const http = await httpIngestion(HTTP_SECONDS)
  results.http = http
  row('3. /v1/batch (100 events a request)', '>= 100,000 events/s', `${n(http.batch.eventsPerSecond)} events/s, p50 ${http.batch.p50} / p99 ${http.batch.p99} ms`, http.batch.eventsPerSecond >= 100_000 && http.batch.non2xx === 0)
  row('3. /v1/track', '>= 10,000 requests/s', `${n(http.track.requestsPerSecond)} req/s, p50 ${http.track.p50} / p99 ${http.track.p99} ms`, http.track.requestsPerSecond >= 10_000 && http.track.non2xx === 0)
  row('3. /v1/track at 5,000 requests/s', 'p99 < 20 ms', `p50 ${http.trackAt5k.p50} / p99 ${http.trackAt5k.p99} ms (${n(http.trackAt5k.requestsPerSecond)} req/s)`, http.trackAt5k.p99 < 20)

  await endToEndRows()

  progress('(7) webhook deliveries to a keep-alive receiver')
  const hooks = await webhookDeliveries(Math.max(2000, 30_000 * scale))
  const hooksSingle = await webhookDeliveries(Math.max(1000, 5_000 * scale), { batchSize: 1 })
  results.webhooks = { batched: hooks, oneEachRequest: hooksSingle }
  row('7. webhook deliveries (service defaults: 50 a request)', '>= 5,000/s', `${n(hooks.deliveriesPerSecond)}/s in ${n(hooks.requests)} requests`, hooks.deliveriesPerSecond >= 5000)
  row('7. webhook deliveries, one a request', '(info)', `${n(hooksSingle.deliveriesPerSecond)}/s`, null)

  progress(`(5, 6) ${n(WAITING)} users waiting: populating`)
  const tmp = tempDir('waiting')
  try {
    const populated = await populateWaiting(tmp.file, WAITING)
    results.populated = populated
    progress(`  ${populated.dbMb} MB database in ${populated.seconds} s`)
    progress('(6) restart with every run and timer stored')
    const restarted = await restart(populated)
    results.restart = restarted
    row(`6. restart, ${n(WAITING)} runs + timers`, '< 5 s', `${round(restarted.processingMs / 1000, 2)} s to a new event applied (listening at ${round(restarted.listeningMs / 1000, 2)} s)`, restarted.processingMs < 5000)
    progress('(5) timers falling due over 60 s')
    const fired = await timers(populated)
    results.timers = fired
    row(`5. timers, ${n(WAITING)} waiting, due over 60 s`, 'lateness p99 < 1 s', `p50 ${fired.p50} / p99 ${fired.p99} ms (max ${fired.max}), ${n(fired.fired)} fired`, fired.p99 < 1000 && fired.fired >= WAITING)
    row(`5. RSS with ${n(WAITING)} waiting`, '< 1 GB', `${n(fired.rssMaxMb)} MB peak (${n(fired.rssIdleMb)} MB before the first fired)`, fired.rssMaxMb < 1024)
  } finally {
    tmp.cleanup()
  }

  const seconds = round((performance.now() - t0) / 1000)
  results.suiteSeconds = seconds
  results.machine = { loadAverage: loadavg(), cpus: cpus().length, model: cpus()[0]?.model ?? '', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, quick }
  results.at = new Date().toISOString()
  // Figure 13 needs PostgreSQL and has a command of its own (`pnpm bench postgres`): its last
  // rows and numbers stay, as a one-figure run keeps the others'.
  const previous = existsSync(join(REPO, 'bench/results.json')) ? previousResults() : {}
  const postgresRows: Row[] = Array.isArray(previous.table) ? previous.table.filter((r: Row) => r.figure.startsWith('13.')) : []
  rows.push(...postgresRows)
  if (previous.postgres !== undefined) results.postgres = previous.postgres
  results.table = rows
  writeFileSync(join(REPO, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`)
  printTable(seconds)
  if (!quick) updateReadme(seconds, '', postgresRows.length > 0 ? ['Figure 13:'] : [])
}

/** (11) Simulation and backtest speed, through the real server's HTTP API. */
async function simulationFigures(): Promise<void> {
  const users = Math.max(100, 1000 * scale)
  progress(`(11) simulate: ${n(users)} users over a 30-day journey`)
  const sim = await simulationSpeed(users)
  progress('(11) simulate: 2 users, the latency a marketer waits for on the Test tab')
  const two = await simulationSpeed(2, 21)
  progress(`(11) backtest: ${n(USERS / 5 * 4)} stored events replayed`)
  const back = await backtestSpeed(USERS / 5)
  results.simulation = { simulate: sim, simulateTwoUsers: two, backtest: back }
  row(
    `11. simulate, ${n(sim.users)} users over a 30-day journey`,
    '(info)',
    `${n(sim.simulatedDaysPerSecond)} simulated days/s (30 days in ${n(sim.medianMs)} ms median, first ${n(sim.firstMs)} ms; ${n(sim.events)} events, ${n(sim.effects)} effects)`,
    null,
  )
  row(`11. simulate, 2 users over a 30-day journey`, '< 100 ms', `${n(two.medianMs)} ms median (first ${n(two.firstMs)} ms)`, two.medianMs < 100)
  row(`11. backtest, ${n(back.storedEvents)} stored events`, '(info)', `${n(back.eventsPerSecond)} events/s replayed (${n(back.medianMs)} ms median, first ${n(back.firstMs)} ms)`, null)
}

/** (12) The end-to-end scenario of issue 12, email and webhook variants, as rows and under `endToEnd`. */
async function endToEndRows(): Promise<void> {
  const variants = (process.env.E2E_VARIANTS ?? 'email,webhook,large-email').split(',')
  // The ceiling right after the email variant, so that both see the machine at about the same speed.
  const e2e = await endToEndFigures(E2E_USERS, variants.filter((v) => v === 'email'))
  progress(`(12) the email scenario's rows alone: ${n(E2E_USERS)} users' writes on one SQLite connection, the server's set and a lean one, alternating`)
  const ceiling = await rowCeiling(E2E_USERS)
  Object.assign(e2e, await endToEndFigures(E2E_USERS, variants.filter((v) => v !== 'email'), E2E_LARGE_USERS))
  results.endToEnd = { ...e2e, rowCeiling: ceiling, at: new Date().toISOString(), loadAverage: loadavg() }
  const mark = (r: EndToEndResult | undefined, target: string, pass: (r: EndToEndResult) => boolean) => {
    if (r) row(`12. end to end over HTTP, ${n(r.users)} users, ${r.variant}`, target, describeEndToEnd(r), pass(r))
  }
  mark(e2e.email, '>= 20,000 users/s, >= 40,000 events/s', (r) => r.usersPerSecondUntilWaiting >= 20_000 && r.acceptedEventsPerSecond >= 40_000)
  mark(e2e.webhook, '>= 15,000 users/s', (r) => r.usersPerSecondUntilWaiting >= 15_000)
  const large = e2e['large-email']
  if (large) row(`12. end to end over HTTP, ${n(large.users)} users, a 20 KB HTML email`, '(info)', describeEndToEnd(large), null)
  const { product, lean } = ceiling
  const email = e2e.email
  const differ = email ? Object.keys(ceiling.rowsPerUser).filter((t) => ceiling.rowsPerUser[t] !== email.rowsPerUser[t]) : []
  if (differ.length > 0) progress(`  the server left other rows per user than this set writes: ${differ.map((t) => `${t} ${email?.rowsPerUser[t]} against ${ceiling.rowsPerUser[t]}`).join(', ')}`)
  const ofCeiling = email ? `; end to end reached ${round(email.usersPerSecondUntilWaiting / product.writeUsersPerSecond, 2)} of it${differ.length > 0 ? ` (rows differ: ${differ.join(', ')})` : ''}` : ''
  row(
    `12. the email scenario's rows alone on one SQLite connection, ${n(ceiling.users)} users`,
    '(info)',
    `${n(product.writeUsersPerSecond)} users/s of write transactions, the ceiling of SQLite's one writer (${n(product.usersPerSecond)} with the journal read back; µs per user: engine ${product.microsecondsPerUser.engine}, relay ${round(product.microsecondsPerUser.relayBegin + product.microsecondsPerUser.relaySettle, 1)}, ingest ${product.microsecondsPerUser.ingest})${ofCeiling}; the same facts in fewer rows: ${n(lean.writeUsersPerSecond)} users/s`,
    null,
  )
  const paced = await endToEndAtRate(E2E_RATE_USERS, E2E_RATE)
  ;(results.endToEnd as Record<string, unknown>).atRate = paced
  row(
    `12. ingest-to-sent at ${n(paced.offeredUsersPerSecond)} users/s offered, email`,
    'p95 < 250 ms',
    `p50 ${paced.latencyMs.p50} / p95 ${paced.latencyMs.p95} / p99 ${paced.latencyMs.p99} ms over ${n(paced.users)} users after ${n(paced.warmUp?.users ?? 0)} to warm up (theirs: p95 ${paced.warmUp?.latencyMs.p95 ?? '-'} ms); server ${paced.serverCpuSeconds} CPU s`,
    paced.latencyMs.p95 < 250,
  )
}

/** The last results.json, which a one-figure run merges into. */
function previousResults(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(REPO, 'bench/results.json'), 'utf8'))
}

/**
 * The end of a one-figure run: its rows replace that figure's rows of the last table where they
 * stood (or join at the end) and the others keep their numbers; written to results.json with
 * `entry`, printed, and put in the README's table with this figure's own date.
 */
function finishFigure(previous: Record<string, unknown>, figure: number, entry: Record<string, unknown>, readmeNote: string): void {
  const before: Row[] = Array.isArray(previous.table) ? previous.table : []
  const isOurs = (r: Row) => typeof r.figure === 'string' && r.figure.startsWith(`${figure}.`)
  const at = before.findIndex(isOurs)
  const kept = before.filter((r) => !isOurs(r))
  const table = at < 0 ? [...kept, ...rows] : [...kept.slice(0, at), ...rows, ...kept.slice(at)]
  writeFileSync(join(REPO, 'bench/results.json'), `${JSON.stringify({ ...previous, ...entry, table }, null, 2)}\n`)
  rows.splice(0, rows.length, ...table)
  printTable(null, `Figure ${figure} measured now, the others kept`)
  if (!quick) updateReadme(null, readmeNote)
}

/**
 * `pnpm bench end-to-end`: figure 12 alone (E2E_USERS to change N), merged into results.json
 * under `endToEnd` and into the README's table.
 */
async function endToEndMain(): Promise<void> {
  const previous = previousResults()
  await endToEndRows()
  finishFigure(previous, 12, { endToEnd: results.endToEnd }, 'Figure 12: `pnpm bench end-to-end`')
}

/**
 * `pnpm bench simulation`: figure 11 alone, merged into results.json and the README's table
 * beside the other figures of the last full run, which keep their own numbers and date.
 */
async function simulationMain(): Promise<void> {
  const previous = previousResults()
  await simulationFigures()
  finishFigure(previous, 11, { simulation: { ...(results.simulation as object), at: new Date().toISOString(), loadAverage: loadavg() } }, 'Figure 11: `pnpm bench simulation`')
}

/** Puts the table between the README's bench markers, so the README shows the latest run. */
function updateReadme(seconds: number | null, figure = '', keepSentences: readonly string[] = []): void {
  const file = join(REPO, 'README.md')
  const text = readFileSync(file, 'utf8')
  const start = '<!-- bench:start -->'
  const end = '<!-- bench:end -->'
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) return
  const load = loadavg().map((l) => l.toFixed(1)).join(' ')
  const table = [
    '| figure | target | measured | result |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.figure} | ${r.target} | ${r.measured} | ${r.pass === null ? '' : r.pass ? 'pass' : '**FAIL**'} |`),
  ]
  const stamp = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`
  // A one-figure run keeps the full run's line, and the other one-figure runs' sentences, and says
  // when its own rows were measured.
  const old = text.slice(from + start.length, to).trim().split('\n')[0] ?? ''
  const own = `${figure.split(':')[0]}:`
  const note =
    seconds === null
      ? [...old.split(/ (?=Figure \d+: )/).filter((sentence) => !sentence.startsWith(own)), `${figure}, ${stamp}, load average ${load}.`].join(' ')
      : [
          `Run of ${stamp}, ${seconds} s in all; load average at the end ${load} (other work shared the machine).`,
          ...old.split(/ (?=Figure \d+: )/).filter((sentence) => keepSentences.some((k) => sentence.startsWith(k))),
        ].join(' ')
  writeFileSync(file, `${text.slice(0, from + start.length)}\n${note}\n\n${table.join('\n')}\n${text.slice(to)}`)
}

function printTable(seconds: number | null, note = ''): void {
  const header = ['figure', 'target', 'measured', 'result']
  const body = rows.map((r) => [r.figure, r.target, r.measured, r.pass === null ? '' : r.pass ? 'pass' : 'FAIL'])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`
  const out = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)]
  process.stdout.write(`\n${out.join('\n')}\n\n${seconds === null ? note : `Suite ran in ${seconds} s`}; every number is in bench/results.json.\n`)
}

/**
 * `pnpm bench postgres` (figure 13): the engine on PostgreSQL with one and two worker processes
 * (PG_USERS users on the Netcore journey, default 25,000), the takeover after a kill, timer
 * lateness with PG_WAITING waiting users (default 1,000,000) and bytes per waiting run. Merged
 * into results.json under `postgres` and into the README's table.
 */
async function postgresMain(): Promise<void> {
  const previous = previousResults()
  const users = Number(process.env.PG_USERS ?? 25_000 * scale)
  const waiting = Number(process.env.PG_WAITING ?? 1_000_000 * scale)
  progress(`(13) PostgreSQL: ${n(users)} users on the Netcore journey, 1 worker process`)
  const one = await postgresApply(1, users)
  progress(`(13) PostgreSQL: the same with 2 worker processes, then one killed`)
  const two = await postgresApply(2, users)
  progress(`(13) PostgreSQL: ${n(waiting)} waiting users`)
  const wait = await postgresWaiting(waiting, Math.min(60_000, waiting))
  const ratio = round(two.eventsPerSecond / one.eventsPerSecond, 2)
  const cpu = (r: typeof one) => `CPU s per 1,000 events: worker${r.workers > 1 ? 's' : ''} ${r.cpuPer1000.workers.join(' + ')}, PostgreSQL ${r.cpuPer1000.postgres}`
  row(`13. PostgreSQL, 1 worker process, Netcore, ${n(users)} users`, '>= 10,000 events/s', `${n(one.eventsPerSecond)} events/s (${cpu(one)})`, one.eventsPerSecond >= 10_000)
  row(`13. PostgreSQL, 2 worker processes`, '>= 1.6 × one worker', `${n(two.eventsPerSecond)} events/s, ${ratio} × (${cpu(two)})`, ratio >= 1.6)
  row('13. PostgreSQL, takeover after a SIGKILL', '< 15 s', `${two.takeoverMs === null ? 'none within 60 s' : `${round(two.takeoverMs / 1000, 1)} s`}`, two.takeoverMs !== null && two.takeoverMs < 15_000)
  row(`13. PostgreSQL, timers, ${n(wait.users)} waiting, ${n(wait.timers.fired)} due over 60 s`, 'lateness p99 < 1 s', `p50 ${wait.timers.p50} / p99 ${wait.timers.p99} ms (max ${wait.timers.max})`, wait.timers.p99 < 1000)
  row('13. PostgreSQL, bytes per waiting run', '<= 2 KB', `${n(wait.bytesPerWaitingRun)} bytes (runs + timers with indexes; + ${n(wait.bytesPerUserProfile)} per profile)`, wait.bytesPerWaitingRun <= 2048)
  finishFigure(previous, 13, { postgres: { oneWorker: one, twoWorkers: two, waiting: wait, at: new Date().toISOString(), loadAverage: loadavg() } }, 'Figure 13: `pnpm bench postgres`')
}

/** `pnpm bench soak`: steady load with one-minute retention; sizes over time to bench/soak.svg. */
async function soakMain(): Promise<void> {
  const minutes = Number(process.env.SOAK_MINUTES ?? 10)
  const rate = Number(process.env.SOAK_RATE ?? 200)
  progress(`soak: ${rate} events/s for ${minutes} min, JOURNAL_RETENTION=HISTORY_RETENTION=1m`)
  const r = await soak(minutes, rate)
  const mb = (b: number) => `${round(b / 2 ** 20, 1)} MB`
  process.stdout.write(
    `\nsoak: ${n(r.accepted)} events at ${n(r.eventsPerSecond)}/s (${r.failedRequests} failed requests); file + WAL peak ${mb(r.peakBytes)}, end ${mb(r.endBytes)}; ` +
      `second half grew ${round(r.secondHalfGrowth * 100, 1)}% (${r.levelsOff ? 'levels off' : 'DOES NOT level off'}); plot in bench/soak.svg, samples in bench/soak.json\n`,
  )
}

/** `pnpm bench backup`: the online backup of a 1 GB database (BACKUP_MB to change the size). */
async function backupMain(): Promise<void> {
  const r = await backupTime(Number(process.env.BACKUP_MB ?? 1024))
  process.stdout.write(`\nbackup: a ${n(r.databaseMb)} MB database copied in ${r.backupSeconds} s (${n(r.copyMb)} MB copy)\n`)
}

const modes: Record<string, () => Promise<void>> = { soak: soakMain, backup: backupMain, simulation: simulationMain, 'end-to-end': endToEndMain, postgres: postgresMain }
const run = modes[process.argv[2] ?? ''] ?? main
run().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
