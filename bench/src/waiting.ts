import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { StoredRunContextRecord, StoredTraits } from '@switchyard/engine'
import { publishNetcore } from './http'
import { api, runChild, startServer } from './server'
import { progress, round, sleep } from './util'

export interface Populated {
  file: string
  journeyId: string
  users: number
  /** When the first populated timer falls due. */
  firstDue: number
  seconds: number
  dbMb: number
}

/**
 * A database as a live server leaves it with `users` people waiting in the Netcore journey's
 * 15-minute click wait: the real server creates the schema and publishes the journey, then
 * users, runs and timers are written with SQL (the engine would take minutes to get there).
 * Timers fall due an hour from now, spread over 60 s; the timer figure moves them closer.
 */
export async function populateWaiting(file: string, users: number): Promise<Populated> {
  const t0 = performance.now()
  const server = await startServer(file)
  const journeyId = await publishNetcore(server.url)
  await server.stop()
  if (journeyId === null) throw new Error('populate: publishing the Netcore journey failed')
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = OFF')
  const version = db.prepare<[string], { version: number }>('SELECT version FROM journeys WHERE id = ?').get(journeyId)?.version ?? 1
  const now = Date.now()
  const base = now + 3_600_000
  const insertUser = db.prepare<[string, string, number]>('INSERT INTO users (user_id, traits, updated_at) VALUES (?, ?, ?)')
  const insertRun = db.prepare<[string, string, number, string, string, number, number, number]>(
    `INSERT INTO runs (run_id, journey_id, version, user_id, status, state_key, current_node_id, context, waiting_until, started_at, ended_at, updated_at)
     VALUES (?, ?, ?, ?, 'active', 'wait', 'wait', ?, ?, ?, NULL, ?)`,
  )
  const insertTimer = db.prepare<[string, string, string, number]>("INSERT INTO timers (run_id, node_id, journey_id, user_id, due_at) VALUES (?, 'wait', ?, ?, ?)")
  const chunk = 100_000
  for (let from = 0; from < users; from += chunk) {
    db.transaction(() => {
      for (let i = from; i < Math.min(users, from + chunk); i++) {
        const userId = `user-${i}`
        const runId = `run_${String(i).padStart(9, '0')}`
        const due = base + Math.floor((i * 60_000) / users)
        const context = StoredRunContextRecord.encode({
          runId,
          journeyId,
          version,
          userId,
          event: { name: 'add_to_cart', properties: { sku: `sku-${i % 500}`, price: 499 }, messageId: `cart-${i}`, timestamp: new Date(now).toISOString() },
          message: { nodeId: 'rcs', id: `msg_${i}`, channel: 'rcs' },
          control: false,
        })
        insertUser.run(userId, StoredTraits.encode({ EMAIL: `u${i}@example.com`, CITY: 'Pune', FIRSTNAME: `U${i}` }), now)
        insertRun.run(runId, journeyId, version, userId, context, due, now, now)
        insertTimer.run(runId, journeyId, userId, due)
      }
    })()
    progress(`  populated ${Math.min(users, from + chunk).toLocaleString('en')} waiting users`)
  }
  db.pragma('wal_checkpoint(TRUNCATE)')
  const pages = Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }))
  db.close()
  return { file, journeyId, users, firstDue: base, seconds: round((performance.now() - t0) / 1000, 1), dbMb: round(pages / 1024 / 1024) }
}

export interface RestartResult {
  listeningMs: number
  processingMs: number
}

/**
 * (6) Restart: from spawning the real server on the populated file to the moment a new event
 * sent right after "running at" has been applied (journal backlog back to 0).
 */
export async function restart(p: Populated): Promise<RestartResult> {
  const t0 = performance.now()
  const server = await startServer(p.file)
  try {
    const listeningMs = performance.now() - t0
    const sent = await api(server.url, 'POST', '/v1/track', { userId: 'restart-probe', event: 'add_to_cart', messageId: `probe-${Date.now()}` })
    if (sent.status !== 200) throw new Error(`restart: track answered ${sent.status}`)
    for (;;) {
      const h = await api(server.url, 'GET', '/healthz')
      const pending = h.json !== null && typeof h.json === 'object' && 'pendingEvents' in h.json ? h.json.pendingEvents : -1
      if (pending === 0) break
      await sleep(2)
    }
    const processingMs = performance.now() - t0
    const runs = await api(server.url, 'GET', `/api/journeys/${p.journeyId}/users/restart-probe`)
    if (runs.status !== 200) progress(`  warning: the probe user is not visible yet (${runs.status})`)
    return { listeningMs: round(listeningMs), processingMs: round(processingMs) }
  } finally {
    await server.stop()
  }
}

export interface TimersResult {
  users: number
  fired: number
  spreadSeconds: number
  p50: number
  p99: number
  max: number
  rssMaxMb: number
  rssIdleMb: number
}

/**
 * (5) The populated timers are moved to fall due from 5 s after now, over 60 s (setup, SQL);
 * then a process runs the engine and its runner exactly as the server does, and reports each
 * timer's lateness (commit that fired it minus its due time) and its own RSS.
 */
export async function timers(p: Populated, spreadSeconds = 60): Promise<TimersResult> {
  const db = new Database(p.file)
  db.pragma('journal_mode = WAL')
  const first = p.firstDue
  const start = Date.now() + 8_000
  // Only the populated users: the restart probe's own timer stays where the engine put it.
  db.prepare<[number]>("UPDATE timers SET due_at = due_at + ? WHERE user_id LIKE 'user-%'").run(start - first)
  db.prepare<[number]>("UPDATE runs SET waiting_until = waiting_until + ? WHERE status = 'active' AND user_id LIKE 'user-%'").run(start - first)
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  progress(`  timers fall due from ${new Date(start).toISOString().slice(11, 19)} for ${spreadSeconds} s`)
  return runChild<TimersResult>('src/timers-child.ts', [p.file, String(p.users), String(start + spreadSeconds * 1000 + 60_000)], (line) => {
    if (!line.startsWith('{')) progress(`  ${line}`)
  })
}
