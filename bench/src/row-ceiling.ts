import { copyFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import type Database from 'better-sqlite3'
import { openChannelStores, StoredContent, type MessageStore } from '@switchyard/channels'
import { openDatabase, prepareSqliteStatements, StoredHistoryDetail, StoredOutboxJob, StoredRunContextRecord, StoredTraits } from '@switchyard/engine'
import type { StoredMessageJob } from '@switchyard/schema'
import { createSecretBox } from '@switchyard/secrets'
import { rowsPerUser } from './end-to-end'
import { startServer } from './server'
import { round, tempDir } from './util'

/** Users per engine commit and relay batch (the engine's batch of 1,000 events, the relay's of 1,000 jobs). */
const CHUNK = 1000
/** Users per ingestion commit: one `/v1/batch` request of 500 events. */
const REQUEST = 250

type RowSet = 'product' | 'lean'

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

/** The lean set's one row a message, written when it is sent (the server has no such statement: it begins the row first). */
function insertSentMessage(db: Database.Database) {
  return db.prepare(
    `INSERT INTO channel_messages (id, provider_id, provider_kind, channel, user_id, journey_id, run_id, node_id, recipient, content, status, provider_message_id, attempts, created_at, updated_at, sent_at)
     VALUES (?, 'sandbox', 'sandbox', 'email', ?, ?, ?, 'send', ?, ?, 'sent', ?, 1, ?, ?, ?)`,
  )
}

/** One set's database, the server's own statements and message store on it, and its clocks. */
class Writer {
  private readonly s: ReturnType<typeof prepareSqliteStatements>
  private readonly sentOnce: ReturnType<typeof insertSentMessage>
  readonly ms = { ingest: 0, engine: 0, relayBegin: 0, relaySettle: 0, journalRead: 0 }
  private applied = 0

  private constructor(
    readonly db: Database.Database,
    private readonly messages: MessageStore,
    private readonly set: RowSet,
  ) {
    this.s = prepareSqliteStatements(db)
    this.sentOnce = insertSentMessage(db)
  }

  static async open(file: string, set: RowSet): Promise<Writer> {
    const db = openDatabase(file)
    const { messages } = await openChannelStores({ kind: 'sqlite', db }, createSecretBox('row-ceiling-bench-key'), Date.now)
    return new Writer(db, messages, set)
  }

  private write(part: 'ingest' | 'engine' | 'relaySettle', fn: () => void): void {
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
   * Every row is encoded before its transaction, with the engine's own record encoders, as the
   * server encodes before it takes the lock: the clocks time SQLite's work.
   */
  async chunk(from: number, to: number, base: number): Promise<void> {
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
      const job: StoredMessageJob = {
        kind: 'message',
        id: messageId,
        channel: 'email',
        providerId: null,
        context: { workspace: 'default', journey: { id: JOURNEY, name: 'End to end (email)', version: 1 }, runId, nodeId: 'send', user: { id: userId, traits }, event, message: null },
        createdAt: now,
      }
      const entered = { event: 'signed_up', properties: { plan: 'trial' } }
      const queued = { channel: 'email', status: 'queued' }
      const waiting = { waitingFor: 'activity: opened', until: new Date(until).toISOString() }
      const detail = (d: Record<string, unknown>) => StoredHistoryDetail.encode(d)
      return {
        i,
        userId,
        runId,
        messageId,
        email,
        identify: JSON.stringify({ traits }),
        track: JSON.stringify({ event: 'signed_up', properties: { plan: 'trial' } }),
        traits: StoredTraits.encode(traits),
        context: StoredRunContextRecord.encode({ runId, journeyId: JOURNEY, version: 1, userId, event, message: { nodeId: 'send', channel: 'email', id: messageId }, control: false }),
        // The product's set writes the step's three entries as three rows, the lean one as one.
        history:
          this.set === 'product'
            ? ([['t', 'entered', 'next', null, detail(entered)], ['send', 'message', 'next', messageId, detail(queued)], ['w', 'entered', null, null, detail(waiting)]] as const)
            : ([['t', 'step', null, messageId, JSON.stringify([entered, queued, waiting])]] as const),
        job: StoredOutboxJob.encode(job),
        content: { to: email, subject: `Welcome, U${i}`, body: 'Your trial has started.' },
        sentEvent: JSON.stringify({ event: 'email.sent', properties: { messageId, journeyId: JOURNEY, nodeId: 'send' } }),
        sent: detail({ channel: 'email', status: 'sent', providerId: 'sandbox', rendered: { channel: 'email', to: email } }),
      }
    })
    for (let q = 0; q < users.length; q += REQUEST) {
      const request = users.slice(q, q + REQUEST)
      this.write('ingest', () => {
        for (const u of request) {
          s.insertEvent.run(`e-i-${u.i}`, 'identify', u.userId, u.identify, now, now)
          s.insertEvent.run(`e-t-${u.i}`, 'track', u.userId, u.track, now, now)
        }
      })
    }
    this.readBack()
    const applied = String(this.applied)
    this.write('engine', () => {
      for (const u of users) {
        s.upsertUser.run(u.userId, u.traits, now)
        s.upsertRun.run(u.runId, JOURNEY, 1, u.userId, 'active', 'w', 'w', u.context, until, now, null, now)
        for (const [node, kind, outlet, messageId, detail] of u.history) s.insertHistory.run(u.runId, JOURNEY, now, node, kind, outlet, messageId, detail)
        s.insertOutbox.run(u.messageId, 'message', u.job, now)
        s.setTimer.run(u.runId, 'w', JOURNEY, u.userId, until)
        s.markEntered.run(u.userId, JOURNEY)
      }
      for (const node of ['t', 'send', 'w']) s.bumpCounter.run(JOURNEY, 1, node, 'entered', users.length)
      s.setMeta.run('applied_seq', applied)
    })
    if (this.set === 'product') {
      // The message store's own `begin`: one transaction of `sending` rows before the sends.
      const t = performance.now()
      await this.messages.begin(users.map((u) => ({ id: u.messageId, providerId: 'sandbox', providerKind: 'sandbox', channel: 'email', userId: u.userId, journeyId: JOURNEY, runId: u.runId, nodeId: 'send', recipient: u.email })))
      this.ms.relayBegin += performance.now() - t
    }
    // The settlement: the message store's results joined to the engine's rows, as the relay writes them.
    const results = this.set === 'product' ? this.messages.finishing(users.map((u) => ({ id: u.messageId, providerMessageId: `sbx_${u.i}`, content: u.content }))) : null
    const content = this.set === 'lean' ? users.map((u) => StoredContent.encode(u.content)) : []
    const done = JSON.stringify(users.map((u) => u.messageId))
    this.write('relaySettle', () => {
      if (results) results.sqlite(this.db)
      users.forEach((u, k) => {
        if (!results) this.sentOnce.run(u.messageId, u.userId, JOURNEY, u.runId, u.email, content[k], `sbx_${u.i}`, now, now, now)
        s.insertEvent.run(`${u.messageId}-sent`, 'track', u.userId, u.sentEvent, now, now)
        s.insertHistory.run(u.runId, JOURNEY, now, 'send', 'message', null, u.messageId, u.sent)
      })
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
 * outcome history row and the outbox row deleted), with the engine store's own statements and
 * record encoders and the channels' own message store, on the server's own schema, in transactions of the sizes the server uses, on one thread with nothing else
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
    const product = await Writer.open(tmp.file, 'product')
    const lean = await Writer.open(leanFile, 'lean')
    const base = Date.now()
    for (let from = 0, k = 0; from < users; from += CHUNK, k++) {
      const to = Math.min(users, from + CHUNK)
      const order = k % 2 === 0 ? [product, lean] : [lean, product]
      for (const w of order) await w.chunk(from, to, base)
    }
    const rows = rowsPerUser(product.db, users)
    product.db.close()
    lean.db.close()
    return { users, rowsPerUser: rows, product: product.figures(users), lean: lean.figures(users) }
  } finally {
    tmp.cleanup()
  }
}
