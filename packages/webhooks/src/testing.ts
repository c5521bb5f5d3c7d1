import { mkdtempSync } from 'node:fs'
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DeliveryContext, WebhookJob } from '@switchyard/schema'
import { createSecretBox } from '@switchyard/secrets'
import type { StoreBackend } from '@switchyard/storage'
import type { Pool } from 'pg'
import { eachBackend as eachStorage, emptyTables } from '@switchyard/storage/testing'
import Database from 'better-sqlite3'
import { WEBHOOK_MIGRATIONS } from './migrations'
import type { WebhookLogEntry } from './log'
import { type WebhookServiceOptions, createWebhookService } from './webhook-service'

/** Test-only helpers: a real HTTP receiver on loopback, a fake clock, a service on a temp database. */

export interface ReceivedRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

export interface Reply {
  status: number
  headers?: Record<string, string>
  /** Hold the answer until this promise settles (a slow endpoint). */
  hold?: Promise<void>
}

export interface Receiver {
  url: string
  port: number
  requests: ReceivedRequest[]
  /** Connections accepted, whether or not a request followed. */
  connections: number
  /** Requests being handled right now, and the most at once. */
  active: number
  maxActive: number
  reply: (req: ReceivedRequest) => Reply
  close(): Promise<void>
}

export async function startReceiver(host = '127.0.0.1', reply: (req: ReceivedRequest) => Reply = () => ({ status: 200 })): Promise<Receiver> {
  let server: Server | null = null
  const receiver: Receiver = {
    url: '',
    port: 0,
    requests: [],
    connections: 0,
    active: 0,
    maxActive: 0,
    reply,
    close: () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections()
        server?.close(() => resolve())
      }),
  }
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      receiver.requests.push(received)
      receiver.active += 1
      receiver.maxActive = Math.max(receiver.maxActive, receiver.active)
      const answer = receiver.reply(received)
      const finish = () => {
        receiver.active -= 1
        res.writeHead(answer.status, answer.headers ?? {})
        res.end('ok')
      }
      if (answer.hold === undefined) finish()
      else void answer.hold.then(finish, finish)
    })
  })
  server.on('connection', () => {
    receiver.connections += 1
  })
  const listening = server
  await new Promise<void>((resolve) => listening.listen(0, host, () => resolve()))
  const address = listening.address()
  const port = isAddressInfo(address) ? address.port : 0
  receiver.port = port
  receiver.url = `http://${host}:${port}`
  return receiver
}

function isAddressInfo(value: unknown): value is AddressInfo {
  return typeof value === 'object' && value !== null && 'port' in value
}

export interface FakeClock {
  now(): number
  advance(ms: number): void
  set(ms: number): void
}

/** Starts at the real time (Standard Webhooks verifiers reject timestamps far from now). */
export function fakeClock(start: number = Math.floor(Date.now() / 1000) * 1000): FakeClock {
  let t = start
  return {
    now: () => t,
    advance: (ms) => {
      t += ms
    },
    set: (ms) => {
      t = ms
    },
  }
}

export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'sy-webhooks-')), 'switchyard.db')
}

export const TEST_SECRET_KEY = 'test-secret-key-0123456789'

/** The webhooks tables, emptied for a test on PostgreSQL. */
export const WEBHOOK_TABLES = ['webhooks', 'webhook_deliveries', 'webhook_attempts', 'webhook_alerts']

/**
 * Registers `tests` on both backends: on SQLite `backend()` answers nothing, so `testService`
 * makes a temp file; on PostgreSQL, this file's database with the webhooks tables emptied.
 */
export function eachBackend(label: string, tests: (backend: () => Promise<{ backend?: StoreBackend }>) => void): void {
  const postgres = async (pool: Pool): Promise<{ backend?: StoreBackend }> => {
    await emptyTables(pool, WEBHOOK_MIGRATIONS, WEBHOOK_TABLES)
    return { backend: { kind: 'postgres', pool } }
  }
  eachStorage(label, { sqlite: async () => ({}), postgres }, tests)
}

/** A service on a temp SQLite file, or on the backend given (a test database on PostgreSQL). */
export async function testService(overrides: Partial<WebhookServiceOptions> & { dbPath?: string } = {}) {
  const dbPath = overrides.dbPath ?? tempDbPath()
  const db = new Database(dbPath)
  db.pragma('journal_mode = WAL')
  const clock = fakeClock()
  const logs: WebhookLogEntry[] = []
  const service = await createWebhookService({
    backend: { kind: 'sqlite', db },
    secretBox: createSecretBox(TEST_SECRET_KEY),
    clock,
    workspace: 'acme_prod',
    allowPrivate: ['127.0.0.0/8'],
    random: () => 0.5,
    log: (entry) => logs.push(entry),
    ...overrides,
  })
  return { service, db, dbPath, clock, logs }
}

export function sampleContext(overrides: Partial<DeliveryContext> = {}): DeliveryContext {
  return {
    workspace: 'acme_prod',
    journey: { id: 'j_1', name: 'Cart recovery', version: 3 },
    runId: 'run_1',
    nodeId: 'webhook_1',
    user: { id: 'jane@example.com', traits: { EMAIL: 'jane@example.com', FIRSTNAME: 'Jane', MOBILE: '9999999999', CITY: 'Pune' } },
    event: {
      name: 'email.opened',
      properties: { ip_addr: '106.51.148.72', subject: 'Your cart' },
      timestamp: '2022-12-02T15:48:05.123Z',
      messageId: 'evt_1',
    },
    message: { id: 'msg_546', channel: 'email', status: 'opened' },
    ...overrides,
  }
}

export function sampleJob(webhookId: string, overrides: Partial<WebhookJob> = {}): WebhookJob {
  return {
    kind: 'webhook',
    id: 'dlv_1',
    webhookId,
    params: ['user.traits.EMAIL', 'user.traits.FIRSTNAME'],
    customParams: { Action: 'Email Open' },
    body: { kind: 'activity' },
    context: sampleContext(),
    createdAt: Date.parse('2022-12-02T15:48:06Z'),
    ...overrides,
  }
}

/** A deferred promise, to hold a receiver's answer until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}
