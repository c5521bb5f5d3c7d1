import { copyFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import type Database from 'better-sqlite3'
import { openDatabase } from '@switchyard/engine'
import { rowsPerUser } from './end-to-end'
import { startServer } from './server'
import { round, tempDir } from './util'

/** Users per engine commit and relay batch (the engine's batch of 1,000 events, the relay's of 1,000 jobs). */
const CHUNK = 1000
/** Users per ingestion commit: one `/v1/batch` request of 500 events. */
const REQUEST = 250

export type RowSet = 'product' | 'lean'

export interface RowCeilingFigures {
  /** Users per second with every statement of the set on one thread (the journal read back included). */
  usersPerSecond: number
  /** Users per second counting only the write transactions: what SQLite's one writer allows. */
  writeUsersPerSecond: number
  /** Microseconds per user in each part's write transactions, and in reading the journal back. */
  microsecondsPerUser: { ingest: number; engine: number; relayBegin: number; relaySettle: number; journalRead: number }
}

export interface RowCeilingResult {
  users: number
  /** Rows per user the server's set left in each table: to compare with what the server itself left (EndToEndResult.rowsPerUser). */
  rowsPerUser: Record<string, number>
  product: RowCeilingFigures
  lean: RowCeilingFigures
}

const JOURNEY = 'jny_0mxa94lmp00072d7fc0e74'
const HOUR = 3_600_000

function statements(db: Database.Database) {
  return {
    appendEvent: db.prepare('INSERT OR IGNORE INTO journal (message_id, type, user_id, payload, timestamp, received_at) VALUES (?, ?, ?, ?, ?, ?)'),
    readJournal: db.prepare<[number, number], { seq: number; payload: string }>('SELECT * FROM journal WHERE seq > ? ORDER BY seq LIMIT ?'),
    setMeta: db.prepare('INSERT INTO engine_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    upsertUser: db.prepare('INSERT INTO users (user_id, traits, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET traits = excluded.traits, updated_at = excluded.updated_at'),
    insertRun: db.prepare(
      'INSERT INTO runs (run_id, journey_id, version, user_id, status, state_key, current_node_id, context, waiting_until, started_at, ended_at, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, NULL, ?)',
    ),
    insertHistory: db.prepare('INSERT INTO history (run_id, journey_id, at, node_id, kind, outlet, message_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    insertOutbox: db.prepare('INSERT OR IGNORE INTO outbox (id, kind, job, created_at) VALUES (?, ?, ?, ?)'),
    setTimer: db.prepare('INSERT INTO timers (run_id, node_id, journey_id, user_id, due_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, node_id) DO UPDATE SET due_at = excluded.due_at'),
    bumpCounter: db.prepare('INSERT INTO node_counters (journey_id, version, node_id, metric, count) VALUES (?, 1, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count'),
    markEntered: db.prepare('INSERT OR IGNORE INTO entered_journeys (user_id, journey_id) VALUES (?, ?)'),
    deleteOutbox: db.prepare('DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))'),
    beginMessage: db.prepare(
      `INSERT INTO channel_messages (id, provider_id, provider_kind, channel, user_id, journey_id, run_id, node_id, recipient, status, attempts, created_at, updated_at)
       VALUES (?, 'sandbox', 'sandbox', 'email', ?, ?, ?, 'send', ?, 'sending', 1, ?, ?)`,
    ),
    sentMessage: db.prepare("UPDATE channel_messages SET status = 'sent', provider_message_id = ?, content = ?, error = NULL, sent_at = ?, updated_at = ? WHERE id = ?"),
    insertSentMessage: db.prepare(
      `INSERT INTO channel_messages (id, provider_id, provider_kind, channel, user_id, journey_id, run_id, node_id, recipient, content, status, provider_message_id, attempts, created_at, updated_at, sent_at)
       VALUES (?, 'sandbox', 'sandbox', 'email', ?, ?, ?, 'send', ?, ?, 'sent', ?, 1, ?, ?, ?)`,
    ),
  }
}

/** One set's database, statements and clocks. */
class Writer {
  readonly s: ReturnType<typeof statements>
  readonly ms = { ingest: 0, engine: 0, relayBegin: 0, relaySettle: 0, journalRead: 0 }
  private applied = 0

  constructor(
    readonly db: Database.Database,
    private readonly set: RowSet,
  ) {
    this.s = statements(db)
  }

  private write(part: 'ingest' | 'engine' | 'relayBegin' | 'relaySettle', fn: () => void): void {
    const t = performance.now()
    this.db.transaction(fn).immediate()
    this.ms[part] += performance.now() - t
  }

  private readBack(): void {
    const t = performance.now()
    const rows = this.s.readJournal.all(this.applied, 2 * CHUNK)
    for (const r of rows) JSON.parse(r.payload)
    this.applied = rows.at(-1)?.seq ?? this.applied
    this.ms.journalRead += performance.now() - t
  }

  /**
   * Users `from` to `to`: what the server writes for them, in the transactions it writes them in.
   * Every row is encoded before its transaction, as the server encodes before it takes the lock:
   * the clocks time SQLite's work.
   */
  chunk(from: number, to: number, base: number): void {
    const s = this.s
    const now = Date.now()
    const until = now + HOUR
    const id = (prefix: string, i: number) => `${prefix}_0${(base + i).toString(36)}${String(i).padStart(6, '0')}`
    const users = Array.from({ length: to - from }, (_, k) => {
      const i = from + k
      const userId = `e2e-${i}`
      const runId = id('run', i)
      const messageId = id('msg', i)
      const email = `u${i}@example.com`
      const traits = { email, name: `U${i}` }
      const event = { name: 'signed_up', properties: { plan: 'trial' }, messageId: `e-t-${i}`, timestamp: new Date(now).toISOString() }
      const context = { runId, journeyId: JOURNEY, version: 1, userId, event, message: { nodeId: 'send', channel: 'email', id: messageId }, control: false }
      const entered = { $v: 1, value: { event: 'signed_up', properties: { plan: 'trial' } } }
      const queued = { $v: 1, value: { channel: 'email', status: 'queued' } }
      const waiting = { $v: 1, value: { waitingFor: 'activity: opened', until: new Date(until).toISOString() } }
      const job = { kind: 'message', messageId, nodeId: 'send', context: { journey: { id: JOURNEY, version: 1 }, run: { id: runId }, user: { id: userId, traits } } }
      const sent = { $v: 1, value: { channel: 'email', status: 'sent', providerId: 'sandbox', rendered: { channel: 'email', to: email } } }
      return {
        i,
        userId,
        runId,
        messageId,
        email,
        identify: JSON.stringify({ traits }),
        track: JSON.stringify({ event: 'signed_up', properties: { plan: 'trial' } }),
        traits: JSON.stringify({ $v: 1, value: traits }),
        context: JSON.stringify({ $v: 2, value: context }),
        // The product's set writes the step's three entries as three rows, the lean one as one.
        history: this.set === 'product' ? ([['t', 'entered', 'next', null, JSON.stringify(entered)], ['send', 'message', 'next', messageId, JSON.stringify(queued)], ['w', 'entered', null, null, JSON.stringify(waiting)]] as const) : ([['t', 'step', null, messageId, JSON.stringify([entered, queued, waiting])]] as const),
        job: JSON.stringify({ $v: 2, value: job }),
        content: JSON.stringify({ $v: 1, value: { to: email, subject: `Welcome, U${i}`, body: 'Your trial has started.' } }),
        sentEvent: JSON.stringify({ event: 'email.sent', properties: { messageId, journeyId: JOURNEY, nodeId: 'send' } }),
        sent: JSON.stringify(sent),
      }
    })
    for (let q = 0; q < users.length; q += REQUEST) {
      const request = users.slice(q, q + REQUEST)
      this.write('ingest', () => {
        for (const u of request) {
          s.appendEvent.run(`e-i-${u.i}`, 'identify', u.userId, u.identify, now, now)
          s.appendEvent.run(`e-t-${u.i}`, 'track', u.userId, u.track, now, now)
        }
      })
    }
    this.readBack()
    const applied = String(this.applied)
    this.write('engine', () => {
      for (const u of users) {
        s.upsertUser.run(u.userId, u.traits, now)
        s.insertRun.run(u.runId, JOURNEY, u.userId, 'active', 'w', 'w', u.context, until, now, now)
        for (const [node, kind, outlet, messageId, detail] of u.history) s.insertHistory.run(u.runId, JOURNEY, now, node, kind, outlet, messageId, detail)
        s.insertOutbox.run(u.messageId, 'message', u.job, now)
        s.setTimer.run(u.runId, 'w', JOURNEY, u.userId, until)
        s.markEntered.run(u.userId, JOURNEY)
      }
      for (const node of ['t', 'send', 'w']) s.bumpCounter.run(JOURNEY, node, 'entered', users.length)
      s.setMeta.run('applied_seq', applied)
    })
    if (this.set === 'product') {
      this.write('relayBegin', () => {
        for (const u of users) s.beginMessage.run(u.messageId, u.userId, JOURNEY, u.runId, u.email, now, now)
      })
    }
    const done = JSON.stringify(users.map((u) => u.messageId))
    this.write('relaySettle', () => {
      for (const u of users) {
        if (this.set === 'product') s.sentMessage.run(`sbx_${u.i}`, u.content, now, now, u.messageId)
        else s.insertSentMessage.run(u.messageId, u.userId, JOURNEY, u.runId, u.email, u.content, `sbx_${u.i}`, now, now, now)
        s.appendEvent.run(`${u.messageId}-sent`, 'track', u.userId, u.sentEvent, now, now)
        s.insertHistory.run(u.runId, JOURNEY, now, 'send', 'message', null, u.messageId, u.sent)
      }
      s.deleteOutbox.run(done)
    })
    // The engine reads the `sent` events back and moves its cursor past them.
    this.readBack()
    const moved = String(this.applied)
    this.write('engine', () => s.setMeta.run('applied_seq', moved))
  }

  figures(users: number): RowCeilingFigures {
    const writes = this.ms.ingest + this.ms.engine + this.ms.relayBegin + this.ms.relaySettle
    const per = (ms: number) => round((ms * 1000) / users, 1)
    return {
      usersPerSecond: round(users / ((writes + this.ms.journalRead) / 1000)),
      writeUsersPerSecond: round(users / (writes / 1000)),
      microsecondsPerUser: { ingest: per(this.ms.ingest), engine: per(this.ms.engine), relayBegin: per(this.ms.relayBegin), relaySettle: per(this.ms.relaySettle), journalRead: per(this.ms.journalRead) },
    }
  }
}

/**
 * The ceiling the end-to-end email scenario's writes set on SQLite, where one connection writes
 * at a time: per user the rows the server writes (the two events ingested; the engine's commit
 * with the profile, the run, three history rows, the outbox job, the timer, the entry mark and
 * the counters; the relay's message row begun and then settled with its `email.sent` event, the
 * outcome history row and the outbox row deleted), with the same statements, on the server's
 * own schema, in transactions of the sizes the server uses, on one thread with nothing else
 * running: no parsing, no HTTP, no state machine. The `lean` set writes the same facts in fewer
 * rows (the first step's three history entries in one row, the message row written once, when
 * sent). The two sets alternate by chunk of 1,000 users on two files, so both see the machine at
 * the same speed.
 */
export async function rowCeiling(users: number): Promise<RowCeilingResult> {
  const tmp = tempDir('row-ceiling')
  const leanFile = `${tmp.file}.lean`
  try {
    // The server's schema, from its own migrations: started once on the file and stopped.
    const server = await startServer(tmp.file)
    await server.stop()
    copyFileSync(tmp.file, leanFile)
    const product = new Writer(openDatabase(tmp.file), 'product')
    const lean = new Writer(openDatabase(leanFile), 'lean')
    const base = Date.now()
    for (let from = 0, k = 0; from < users; from += CHUNK, k++) {
      const to = Math.min(users, from + CHUNK)
      const order = k % 2 === 0 ? [product, lean] : [lean, product]
      for (const w of order) w.chunk(from, to, base)
    }
    const rows = rowsPerUser(product.db, users)
    product.db.close()
    lean.db.close()
    return { users, rowsPerUser: rows, product: product.figures(users), lean: lean.figures(users) }
  } finally {
    tmp.cleanup()
  }
}
