import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { compileJourney } from '@switchyard/compiler'
import { JourneyStepper, createJourneyMachine, messageIdFor, openDatabase, type RunContext } from '@switchyard/engine'
import { Graph, JourneyStats } from '@switchyard/schema'
import { action, edge, exit, graph, hours, journeyInput, trigger, waitActivity, waitEvent, webhook } from '@switchyard/testkit'
import { api, REPO, runChild, startServer } from './server'
import { percentile, progress, round, sleep, sortNumbers, tempDir } from './util'

export type EndToEndVariant = 'email' | 'webhook' | 'large-email'
const TRIGGER = 'signed_up'
const BATCH = 500
const IN_FLIGHT = 4

export interface EndToEndResult {
  variant: EndToEndVariant
  users: number
  events: number
  /** Events answered 200 per second of the load (from the first request to the last answer). */
  acceptedEventsPerSecond: number
  /** Users per second from the first request until every user waits at the wait step. */
  usersPerSecondUntilWaiting: number
  secondsUntilWaiting: number
  secondsUntilAllSent: number
  latencyMs: { p50: number; p95: number; p99: number; max: number; samples: number }
  requestMs: { p50: number; p99: number }
  refusedRequests: number
  /** Messages (or deliveries) by status at the end. */
  statuses: Record<string, number>
  serverCpuSeconds: number
  serverPeakRssMb: number
  /** The same work's raw limit in this run (users/s) and the ratio of users/s to it. */
  rawUsersPerSecond: number
  ratioToRaw: number
  /** Rows per user left in the tables a user's path writes to (ROW_TABLES), read from the server's file at the end. */
  rowsPerUser: Record<string, number>
  /** With a warm-up: its users' ingest-to-sent latency, the server's first seconds (the figure above leaves them out). */
  warmUp?: { users: number; latencyMs: { p50: number; p95: number; p99: number; max: number } }
}

interface LoadLine {
  start?: number
  end?: number
  seconds?: number
  ok?: number
  refused?: number
  events?: number
  requestP50?: number
  requestP99?: number
}

const SUBJECT = 'Welcome, {{ user.traits.name }}'
const SHORT_BODY = 'Your trial has started.'

/**
 * A newsletter-sized email body, about 20 KB of HTML as a real template is (tables, inline
 * styles, a footer), with the user's name in three places: what the `large-email` variant sends.
 */
export const LARGE_BODY = (() => {
  const row = (i: number) =>
    `<tr><td style="padding:12px 24px;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:22px;color:#333333;">` +
    `<h3 style="margin:0 0 8px;font-size:17px;color:#111111;">Step ${i}: make the most of your trial</h3>` +
    `<p style="margin:0;">Hi {{ user.traits.name }}, here is one more thing teams like yours set up in their first week, with a short guide and a link to try it.</p>` +
    `<a href="https://example.com/guide/${i}?utm_source=email&amp;utm_medium=welcome" style="color:#1a73e8;">Read the guide</a></td></tr>\n`
  const rows = Array.from({ length: 40 }, (_, i) => row(i + 1)).join('')
  return `<!doctype html><html><body style="margin:0;background:#f4f4f4;"><table role="presentation" width="100%" cellspacing="0" cellpadding="0">\n<tr><td><h1>Welcome, {{ user.traits.name }}</h1></td></tr>\n${rows}<tr><td style="font-size:12px;color:#777777;">You are receiving this because you signed up. <a href="https://example.com/unsubscribe">Unsubscribe</a>.</td></tr></table></body></html>`
})()

const isEmail = (variant: EndToEndVariant) => variant !== 'webhook'

/** The tables one user's path through the journey writes rows to (the outbox is emptied as jobs are done). */
export const ROW_TABLES = ['journal', 'users', 'runs', 'history', 'outbox', 'timers', 'entered_journeys', 'channel_messages'] as const

/** Rows per user in each of ROW_TABLES of an open database. */
export function rowsPerUser(db: Database.Database, users: number): Record<string, number> {
  return Object.fromEntries(ROW_TABLES.map((t) => [t, round((db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${t}`).get()?.n ?? 0) / users, 2)]))
}

/** trigger -> email (or webhook) -> wait for `opened` within 1 hour -> exit either way. */
export function endToEndJourney(variant: EndToEndVariant, webhookId = '') {
  const body = variant === 'large-email' ? LARGE_BODY : SHORT_BODY
  const send = isEmail(variant) ? action('send', 'email', { subject: SUBJECT, body }) : webhook('send', webhookId)
  const wait = isEmail(variant) ? waitActivity('w', 'opened', hours(1)) : waitEvent('w', 'opened', hours(1))
  return journeyInput(`End to end (${variant})`, graph([trigger('t', TRIGGER), send, wait, exit('opened'), exit('silent')], [edge('t', 'next', 'send'), edge('send', 'next', 'w'), edge('w', 'matched', 'opened'), edge('w', 'timeout', 'silent')]))
}

/** CPU seconds (user + system) and peak RSS (VmHWM) of a process, from /proc; NaN elsewhere. */
function procFigures(pid: number | undefined): { cpuSeconds: number; peakRssMb: number } {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100, peakRssMb: round(Number(hwm) / 1024) }
  } catch {
    return { cpuSeconds: Number.NaN, peakRssMb: Number.NaN }
  }
}

async function startReceiver(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'bench/src/receiver.ts')], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve) => child.stdout?.once('data', (d: Buffer) => resolve(Number(JSON.parse(d.toString()).port))))
  return { port, stop: () => child.kill('SIGTERM') }
}

/**
 * The scenario of issue 12 over real HTTP on a fresh database: `users` users are identified and
 * enter the journey through `/v1/batch` (500 events a request, 4 in flight, load generator in
 * its own process); the email goes through the sandbox provider, the webhook to a keep-alive
 * receiver in a third process. Ingest-to-sent latency is read from the database afterwards:
 * the trigger's `received_at` to the message's `sent_at` (the delivery's first attempt's end).
 */
export async function endToEnd(users: number, variant: EndToEndVariant, offeredRate?: number, warmUsers = 0): Promise<EndToEndResult> {
  const tmp = tempDir(`e2e-${variant}`)
  const receiver = variant === 'webhook' ? await startReceiver() : null
  const server = await startServer(tmp.file, { ALLOW_PRIVATE_TARGETS: '127.0.0.0/8' })
  try {
    let webhookId = ''
    if (receiver) {
      const hook = await api(server.url, 'POST', '/api/webhooks', { name: 'bench receiver', url: `http://127.0.0.1:${receiver.port}/hook` })
      webhookId = String((hook.json as { id?: unknown }).id)
      await api(server.url, 'POST', `/api/webhooks/${webhookId}/test`)
    }
    const created = await api(server.url, 'POST', '/api/journeys', endToEndJourney(variant, webhookId))
    const journeyId = String((created.json as { id?: unknown }).id)
    const published = await api(server.url, 'POST', `/api/journeys/${journeyId}/publish`)
    if (published.status !== 200) throw new Error(`end to end: publish answered ${published.status}: ${JSON.stringify(published.json).slice(0, 300)}`)
    // The harness reads the file beside the server (WAL readers do not block its writer), with
    // statements that cost the machine little: polling the stats API every 50 ms made the server
    // count the journey's messages 20 times a second, on the thread that relays them.
    const db = new Database(tmp.file, { readonly: true })
    const enteredWait = db.prepare<[string], { n: number }>("SELECT coalesce(sum(count), 0) AS n FROM node_counters WHERE journey_id = ? AND node_id = 'w' AND metric = 'entered'")
    const entered = async () => enteredWait.get(journeyId)?.n ?? 0
    const outboxRows = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox')
    const byStatus = db.prepare<[], { status: string; n: number }>(`SELECT status, count(*) AS n FROM ${isEmail(variant) ? 'channel_messages' : 'webhook_deliveries'} GROUP BY status`)
    const done = new Set(['sent', 'delivered', 'failed', 'dead'])
    /** Until `n` messages (deliveries) are done, for at most two minutes. */
    const allDone = async (n: number): Promise<Record<string, number>> => {
      let statuses: Record<string, number> = {}
      for (let i = 0; i < 2400; i++) {
        // Every job is settled (sent, failed or kept for a retry) before the messages are counted.
        if ((outboxRows.get()?.n ?? 0) > 0) {
          await sleep(50)
          continue
        }
        statuses = Object.fromEntries(byStatus.all().map((r) => [r.status, r.n]))
        if (Object.entries(statuses).reduce((sum, [status, k]) => sum + (done.has(status) ? k : 0), 0) >= n) break
        await sleep(50)
      }
      return statuses
    }
    // Ingest-to-sent per user of a load tagged `tag`: the trigger's `received_at` to the message's `sent_at` (the delivery's first attempt's end).
    const latencyQuery = db.prepare<[string], { ms: number }>(
      isEmail(variant)
        ? "SELECT m.sent_at - j.received_at AS ms FROM channel_messages m JOIN journal j ON j.message_id = ? || '-t-' || substr(m.user_id, 5) WHERE m.sent_at IS NOT NULL"
        : "SELECT (SELECT min(a.at + a.duration_ms) FROM webhook_attempts a WHERE a.delivery_id = d.id) - j.received_at AS ms FROM webhook_deliveries d JOIN journal j ON j.message_id = ? || '-t-' || substr(json_extract(d.job, '$.value.context.user.id'), 5) WHERE d.status = 'delivered'",
    )
    const latencyOf = (tag: string) => sortNumbers(latencyQuery.all(tag).map((r) => r.ms))
    const quantiles = (xs: number[]) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99), max: xs.at(-1) ?? Number.NaN })
    // A warm-up: other users through the same journey at the same rate, until all are sent, so the
    // figure is the server's steady state and not its first seconds of cold code.
    const warmTag = `${variant}-warm`
    if (warmUsers > 0) {
      await runChild<LoadLine>('src/e2e-load.ts', [JSON.stringify({ url: server.url, users: warmUsers, firstUser: users, batchSize: BATCH, inFlight: IN_FLIGHT, event: TRIGGER, tag: warmTag, ...(offeredRate ? { usersPerSecond: offeredRate } : {}) })])
      while ((await entered()) < warmUsers) await sleep(50)
      await allDone(warmUsers)
    }
    const cpu0 = procFigures(server.child.pid).cpuSeconds

    let start = Number.NaN
    const load = runChild<LoadLine>('src/e2e-load.ts', [JSON.stringify({ url: server.url, users, batchSize: BATCH, inFlight: IN_FLIGHT, event: TRIGGER, tag: variant, ...(offeredRate ? { usersPerSecond: offeredRate } : {}) })], (line) => {
      const parsed: LoadLine = line.startsWith('{') ? JSON.parse(line) : {}
      if (parsed.start !== undefined) start = parsed.start
    })
    // Every user waits once the wait step holds all of them; the run gets there in the commit that queues the send.
    let waitingAt = Number.NaN
    const waited = (async () => {
      for (;;) {
        if ((await entered()) >= users + warmUsers) return (waitingAt = Date.now())
        await sleep(50)
      }
    })()
    const loaded = await load
    await waited
    const statuses = await allDone(users + warmUsers)
    const allSentAt = Date.now()
    // Once, after the clock: the API agrees with what the harness read from the file.
    const apiEntered = JourneyStats.parse((await api(server.url, 'GET', `/api/journeys/${journeyId}/stats`)).json).nodes.w?.entered ?? 0
    if (apiEntered !== users + warmUsers) throw new Error(`end to end: the stats API counts ${apiEntered} users at the wait, the file ${users + warmUsers}`)
    const proc = procFigures(server.child.pid)
    const latencies = latencyOf(variant)
    const warm = warmUsers > 0 ? latencyOf(warmTag) : []
    const rows = rowsPerUser(db, users + warmUsers)
    db.close()
    const seconds = loaded.seconds ?? Number.NaN
    const secondsUntilWaiting = (waitingAt - start) / 1000
    const raw = rawEndToEnd(users, variant === 'large-email' ? LARGE_BODY : SHORT_BODY)
    const usersPerSecond = users / secondsUntilWaiting
    return {
      variant,
      users,
      events: loaded.events ?? 0,
      acceptedEventsPerSecond: round(((loaded.ok ?? 0) * BATCH) / seconds),
      usersPerSecondUntilWaiting: round(usersPerSecond),
      secondsUntilWaiting: round(secondsUntilWaiting, 2),
      secondsUntilAllSent: round((allSentAt - start) / 1000, 2),
      latencyMs: { ...quantiles(latencies), samples: latencies.length },
      requestMs: { p50: loaded.requestP50 ?? Number.NaN, p99: loaded.requestP99 ?? Number.NaN },
      refusedRequests: loaded.refused ?? 0,
      statuses,
      serverCpuSeconds: round(proc.cpuSeconds - cpu0, 2),
      serverPeakRssMb: proc.peakRssMb,
      rawUsersPerSecond: raw.usersPerSecond,
      ratioToRaw: round(usersPerSecond / raw.usersPerSecond, 2),
      rowsPerUser: rows,
      ...(warmUsers > 0 ? { warmUp: { users: warmUsers, latencyMs: quantiles(warm) } } : {}),
    }
  } finally {
    await server.stop()
    receiver?.stop()
    tmp.cleanup()
  }
}

/**
 * The raw limit of the same work, in this process: per user the profile upserted, the compiled
 * journey's initial transition (trigger -> send -> wait) and the minimal rows it leaves (the run's
 * snapshot and the message), 1,000 users a transaction. No journal, history, outbox or timers.
 */
export function rawEndToEnd(users: number, body = SHORT_BODY): { usersPerSecond: number; seconds: number } {
  const tmp = tempDir('e2e-raw')
  const db = openDatabase(tmp.file)
  db.exec('CREATE TABLE users (user_id TEXT PRIMARY KEY, traits TEXT NOT NULL) WITHOUT ROWID')
  db.exec('CREATE TABLE runs (key TEXT PRIMARY KEY, value TEXT NOT NULL, context TEXT NOT NULL) WITHOUT ROWID')
  db.exec('CREATE TABLE messages (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, content TEXT NOT NULL, sent_at INTEGER NOT NULL)')
  const upsertUser = db.prepare<[string, string]>('INSERT INTO users (user_id, traits) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET traits = excluded.traits')
  const upsertRun = db.prepare<[string, string, string]>('INSERT INTO runs (key, value, context) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, context = excluded.context')
  const insertMessage = db.prepare<[string, string, string, number]>('INSERT INTO messages (id, user_id, content, sent_at) VALUES (?, ?, ?, ?)')
  const compiled = compileJourney(Graph.parse(endToEndJourney('email').graph))
  const machine = createJourneyMachine(compiled.machine)
  const stepper = new JourneyStepper(machine, compiled.machine)
  const now = Date.now()
  const started = performance.now()
  for (let from = 0; from < users; from += 1000) {
    db.transaction(() => {
      for (let i = from; i < Math.min(users, from + 1000); i++) {
        const userId = `e2e-${i}`
        const traits = { email: `u${i}@example.com`, name: `U${i}` }
        upsertUser.run(userId, JSON.stringify(traits))
        const runId = `run-${i}`
        const input: RunContext = {
          runId,
          journeyId: 'jny',
          version: 1,
          userId,
          event: { name: TRIGGER, properties: { plan: 'trial' }, messageId: `t-${i}`, timestamp: new Date(now).toISOString() },
          message: null,
          control: false,
          user: { id: userId, traits },
        }
        const [snap] = stepper.initial(input)
        const { user: _user, ...context } = snap.context
        upsertRun.run(runId, JSON.stringify(snap.value), JSON.stringify(context))
        insertMessage.run(messageIdFor(runId, 'send'), userId, JSON.stringify({ to: traits.email, subject: `Welcome, ${traits.name}`, body: body.replaceAll('{{ user.traits.name }}', traits.name) }), now)
      }
    }).immediate()
  }
  const seconds = (performance.now() - started) / 1000
  db.close()
  tmp.cleanup()
  return { usersPerSecond: round(users / seconds), seconds: round(seconds, 2) }
}

export function describeEndToEnd(r: EndToEndResult): string {
  return `${r.usersPerSecondUntilWaiting.toLocaleString('en')} users/s until all waiting (${r.secondsUntilWaiting} s), ${r.acceptedEventsPerSecond.toLocaleString('en')} events/s accepted; ingest-to-sent p50 ${r.latencyMs.p50} / p95 ${r.latencyMs.p95} / p99 ${r.latencyMs.p99} ms; server ${r.serverCpuSeconds} CPU s, ${r.serverPeakRssMb} MB peak RSS; ${r.ratioToRaw} of the raw limit (${r.rawUsersPerSecond.toLocaleString('en')} users/s)`
}

/**
 * Ingest-to-sent latency at a fixed offered rate (issue 12: p95 under 250 ms at 5,000 users/s):
 * the email variant with `users` users offered at `usersPerSecond`, 250 users a request, after
 * a warm-up of two seconds' worth of other users at the same rate (at most `users`), whose
 * latency is reported apart: a fresh server runs cold code for its first second or two.
 */
export async function endToEndAtRate(users: number, usersPerSecond: number): Promise<EndToEndResult & { offeredUsersPerSecond: number }> {
  const warmUsers = Math.round(Math.min(users, usersPerSecond * 2))
  progress(`(12) end to end at a fixed rate: ${users.toLocaleString('en')} users offered at ${usersPerSecond.toLocaleString('en')}/s after ${warmUsers.toLocaleString('en')} to warm up, trigger -> email -> wait`)
  const r = await endToEnd(users, 'email', usersPerSecond, warmUsers)
  progress(`  ingest-to-sent p50 ${r.latencyMs.p50} / p95 ${r.latencyMs.p95} / p99 ${r.latencyMs.p99} ms; all sent at ${r.secondsUntilAllSent} s`)
  if (r.warmUp) progress(`  the warm-up's (a fresh server's first ${warmUsers.toLocaleString('en')} users): p50 ${r.warmUp.latencyMs.p50} / p95 ${r.warmUp.latencyMs.p95} / p99 ${r.warmUp.latencyMs.p99} ms`)
  return { ...r, offeredUsersPerSecond: usersPerSecond }
}

/**
 * The variants, or those named in `only` (E2E_VARIANTS=email,webhook,large-email): `users` users
 * each, but `largeUsers` for the large email (a 20 KB body costs more per user).
 */
export async function endToEndFigures(users: number, only: readonly string[] = ['email', 'webhook', 'large-email'], largeUsers = users): Promise<Partial<Record<EndToEndVariant, EndToEndResult>>> {
  const out: Partial<Record<EndToEndVariant, EndToEndResult>> = {}
  for (const variant of ['email', 'webhook', 'large-email'] as const) {
    if (!only.includes(variant)) continue
    const n = variant === 'large-email' ? largeUsers : users
    const what = variant === 'large-email' ? `a ${Math.round(LARGE_BODY.length / 1024)} KB HTML email` : variant
    progress(`(12) end to end over HTTP: ${n.toLocaleString('en')} users, trigger -> ${what} -> wait for opened`)
    const r = await endToEnd(n, variant)
    progress(`  ${variant}: ${describeEndToEnd(r)}; all sent at ${r.secondsUntilAllSent} s ${JSON.stringify(r.statuses)}`)
    out[variant] = r
  }
  return out
}
