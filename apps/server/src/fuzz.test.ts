import { Agent, request } from 'node:http'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterEach, expect, it } from 'vitest'
import { loadExample, WebhookSink } from '@switchyard/testkit'
import { excerpt, generateCases, nulCases, routesOf, withNulEach, type FuzzCase, type FuzzContext, type Json } from '../test/fuzz'
import { http, liveServers, until } from '../test/live'
import type { Logger } from './log'

// FUZZ_SEED and FUZZ_COUNT reproduce or widen a run; the seed is printed either way.
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
const COUNT = Number(process.env.FUZZ_COUNT ?? 2400)
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 8)
const SLOW_MS = 5_000
const ADMIN_TOKEN = 'fuzz-admin-token'
const WRITE_KEY = 'fuzz-write-key'

const servers = liveServers()
const sink = new WebhookSink()
afterEach(() => sink.stop())

interface Outcome {
  c: FuzzCase
  status: number
  ms: number
  /** The answer's `error.code`, for the FUZZ_VERBOSE table. */
  code?: string
  error?: string
}

/** Remembers what the server logs as a bug, so a 5xx is reported with its stack. */
function bugLog(): Logger & { errors: Record<string, unknown>[] } {
  const errors: Record<string, unknown>[] = []
  return { errors, debug: () => {}, info: () => {}, warn: () => {}, error: (msg, fields = {}) => void errors.push({ msg, ...fields }) }
}

it(`answers ${COUNT} generated and mutated requests without a 5xx, a crash or a request over ${SLOW_MS / 1000} s`, { timeout: 180_000 }, async () => {
  console.log(`fuzz: seed ${SEED} (FUZZ_SEED=${SEED} FUZZ_COUNT=${COUNT} to reproduce)`)
  const log = bugLog()
  const { url } = await servers.start({ ADMIN_TOKEN, WRITE_KEY }, log)
  const receiverUrl = await sink.start()
  const ctx: FuzzContext = { adminToken: ADMIN_TOKEN, writeKey: WRITE_KEY, receiverUrl, ids: await seed(url, receiverUrl) }

  const doc = await (await fetch(`${url}/openapi.json`)).json()
  const routes = routesOf(doc)
  const cases = generateCases(routes, ctx, SEED, COUNT, { examples: examples(ctx), encodings: { 'POST /v1/receipts/twilio/{providerId}': 'form-encoded', 'POST /v1/receipts/dsn': 'mime-report' } })
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  const outcomes = await runAll(url, cases)
  loop.disable()

  const covered = new Set(outcomes.map((o) => o.c.route))
  expect(routes.filter((r) => !covered.has(`${r.method} ${r.path}`))).toEqual([])
  const byClass = countByClass(outcomes)
  const slowest = outcomes.reduce((a, b) => (b.ms > a.ms ? b : a))
  console.log(`fuzz: ${outcomes.length} requests over ${routes.length} routes, ${JSON.stringify(byClass)}, slowest ${Math.round(slowest.ms)} ms (${slowest.c.method} ${slowest.c.path.slice(0, 80)}, ${slowest.c.label})`)

  if (process.env.FUZZ_VERBOSE) {
    const table: Record<string, Record<string, number>> = {}
    for (const o of outcomes) {
      const row = (table[o.c.route] ??= {})
      const key = `${o.status}${o.code ? ` ${o.code}` : ''}`
      row[key] = (row[key] ?? 0) + 1
    }
    for (const [route, row] of Object.entries(table)) console.log(`fuzz: ${route} ${JSON.stringify(row)}`)
    for (const o of [...outcomes].sort((a, b) => b.ms - a.ms).slice(0, 15)) console.log(`fuzz: slow ${Math.round(o.ms)} ms ${o.status} ${o.c.method} ${o.c.path.slice(0, 80)} [${o.c.label}] ${o.c.body?.byteLength ?? 0} bytes`)
    console.log(`fuzz: event loop delay max ${Math.round(loop.max / 1e6)} ms, p99 ${Math.round(loop.percentile(99) / 1e6)} ms`)
  }
  const bad = outcomes.filter((o) => o.status >= 500 || o.error !== undefined || o.ms > SLOW_MS)
  for (const o of bad) console.log(`fuzz: ${o.error ?? o.status} in ${Math.round(o.ms)} ms: ${o.c.method} ${o.c.path.slice(0, 300)} [${o.c.label}] headers ${JSON.stringify(o.c.headers).slice(0, 300)} body ${excerpt(o.c.body)}`)
  for (const e of log.errors.slice(0, 5)) console.log(`fuzz: server logged ${JSON.stringify(e).slice(0, 1500)}`)
  expect(outcomes.length).toBeGreaterThanOrEqual(Math.min(COUNT, 2000))
  expect(bad.map((o) => `${o.error ?? o.status} ${o.c.method} ${o.c.path.slice(0, 120)} [${o.c.label}]`)).toEqual([])
  expect(slowest.ms).toBeLessThanOrEqual(SLOW_MS)
  // A bug the answers do not show: the engine loop or a dispatcher failing on what was accepted.
  expect(log.errors.map((e) => String(e.msg))).toEqual([])
  // Still up: the process did not exit and the server answers.
  expect((await fetch(`${url}/healthz`)).status).toBe(200)
})

it('answers a NUL in each string and key of every route\'s body without a 5xx (PostgreSQL text holds none)', { timeout: 180_000 }, async () => {
  const log = bugLog()
  const { url } = await servers.start({ ADMIN_TOKEN, WRITE_KEY }, log)
  const receiverUrl = await sink.start()
  const ctx: FuzzContext = { adminToken: ADMIN_TOKEN, writeKey: WRITE_KEY, receiverUrl, ids: await seed(url, receiverUrl) }
  const routes = routesOf(await (await fetch(`${url}/openapi.json`)).json())
  const cases = nulCases(routes, ctx, examples(ctx))
  const outcomes = await runAll(url, cases)
  const byClass = countByClass(outcomes)
  console.log(`fuzz: ${outcomes.length} NUL cases over ${new Set(cases.map((c) => c.route)).size} routes, ${JSON.stringify(byClass)}`)
  const bad = outcomes.filter((o) => o.status >= 500 || o.error !== undefined)
  for (const o of bad.slice(0, 10)) console.log(`fuzz: ${o.error ?? o.status} ${o.c.method} ${o.c.path} body ${excerpt(o.c.body)}`)
  expect(outcomes.length).toBeGreaterThan(200)
  expect(bad.map((o) => `${o.error ?? o.status} ${o.c.route} ${excerpt(o.c.body, 120)}`)).toEqual([])
  expect(log.errors.map((e) => String(e.msg))).toEqual([])
})

it('refuses at publish every journey holding a NUL the engine could not store, and runs the rest', { timeout: 180_000 }, async () => {
  const log = bugLog()
  const { url } = await servers.start({ ADMIN_TOKEN, WRITE_KEY }, log)
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
  const writer = { authorization: `Bearer ${WRITE_KEY}` }
  const hook = await http(url, 'POST', '/api/webhooks', { name: 'NUL receiver', url: `${await sink.start()}/hook`, encoding: 'json' }, admin)
  await http(url, 'POST', '/api/channels', { name: 'NUL sandbox', channel: 'rcs', kind: 'sandbox', config: {} }, admin)
  // Drafts keep anything (the canvas autosaves); what a publish lets through reaches the engine's tables.
  const answers: Record<string, number> = {}
  const example = loadExample('netcore-cart-rcs', hook.json.id)
  // A step renamed everywhere (its connections too), so a NUL id is not refused for a dangling edge.
  const renamed = example.graph.nodes.map((n) => JSON.parse(JSON.stringify(example).replaceAll(`"${n.id}"`, JSON.stringify(`${n.id}\u0000`))))
  for (const variant of [...withNulEach(JSON.parse(JSON.stringify(example))), ...renamed]) {
    const created = await http(url, 'POST', '/api/journeys', variant, admin)
    const status = created.status === 201 ? (await http(url, 'POST', `/api/journeys/${created.json.id}/publish`, undefined, admin)).status : created.status
    answers[status] = (answers[status] ?? 0) + 1
  }
  console.log(`fuzz: NUL journeys: ${JSON.stringify(answers)} (201 then publish: 200 live, 422 refused)`)
  expect(Object.keys(answers).filter((s) => Number(s) >= 500)).toEqual([])
  expect(answers[200]).toBeGreaterThan(0)
  expect(answers[422]).toBeGreaterThan(0)
  await http(url, 'POST', '/v1/identify', { userId: 'nul-user', traits: { FIRSTNAME: 'N\u0000l' } }, writer)
  await http(url, 'POST', '/v1/track', { userId: 'nul-user', event: 'add_to_cart' }, writer)
  const health = await until(() => http(url, 'GET', '/healthz'), (r) => r.json.pendingEvents === 0, 30_000)
  expect(health.json.pendingEvents).toBe(0)
  expect(log.errors.map((e) => `${String(e.msg)} ${String(e.error ?? '').slice(0, 200)}`)).toEqual([])
})

/** Answers by class (`2xx`, `4xx`, `5xx`) and requests that got none (`failed`), for the report. */
function countByClass(outcomes: readonly Outcome[]): Record<string, number> {
  const byClass: Record<string, number> = {}
  for (const o of outcomes) {
    const key = o.error ? 'failed' : `${Math.floor(o.status / 100)}xx`
    byClass[key] = (byClass[key] ?? 0) + 1
  }
  return byClass
}

/**
 * Sends the cases `CONCURRENCY` at a time, timing each one, on keep-alive connections opened now:
 * making the cases blocks the event loop for seconds, past the server's 5 s keep-alive, so a
 * connection pooled before it would be closed under the first request.
 */
async function runAll(url: string, cases: FuzzCase[]): Promise<Outcome[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const outcomes: Outcome[] = []
  let next = 0
  const worker = async () => {
    for (let c = cases[next++]; c !== undefined; c = cases[next++]) outcomes.push(await send(agent, new URL(url), c))
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  agent.destroy()
  return outcomes
}

/** node:http rather than fetch: it sends paths and headers as given, and reports resets as they are. */
function send(agent: Agent, base: URL, c: FuzzCase): Promise<Outcome> {
  const started = performance.now()
  return new Promise((resolve) => {
    const done = (status: number, extra: { code?: string; error?: string }) => resolve({ c, status, ms: performance.now() - started, ...extra })
    // Node frames a written body with chunks by default only for some methods: a DELETE's body
    // would go unframed and read as the next request, so chunked cases say so themselves.
    const headers = c.body === undefined ? c.headers : c.chunked ? { ...c.headers, 'transfer-encoding': 'chunked' } : { ...c.headers, 'content-length': String(c.body.byteLength) }
    const req = request({ host: base.hostname, port: base.port, method: c.method, path: c.path, headers, agent, timeout: SLOW_MS * 3 }, (res) => {
      let head = ''
      res.on('data', (d: Buffer) => {
        if (head.length < 200) head += d.toString('utf8')
      })
      res.on('end', () => done(res.statusCode ?? 0, { code: /"code":"([^"]+)"/.exec(head)?.[1] }))
      res.on('error', (e) => done(0, { error: describe(e) }))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer in ${SLOW_MS * 3} ms`)))
    req.on('error', (e) => done(0, { error: describe(e) }))
    if (c.chunked && c.body) for (let at = 0; at < c.body.byteLength; at += 16 * 1024) req.write(c.body.subarray(at, at + 16 * 1024))
    req.end(c.chunked ? undefined : c.body)
  })
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.message}${'code' in error ? ` (${String(error.code)})` : ''}` : String(error)
}

/** Real resources, so `:id` routes hit ids that exist: a webhook, a published journey with a run, a provider. */
async function seed(url: string, receiverUrl: string): Promise<Record<string, string[]>> {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
  const writer = { authorization: `Bearer ${WRITE_KEY}` }
  const created = async (path: string, body: unknown): Promise<string> => {
    const res = await http(url, 'POST', path, body, admin)
    if (res.status !== 201) throw new Error(`seeding ${path}: ${res.status} ${JSON.stringify(res.json)}`)
    return String(res.json.id)
  }
  const hookId = await created('/api/webhooks', { name: 'Fuzz receiver', url: `${receiverUrl}/hook`, encoding: 'json' })
  const providerId = await created('/api/channels', { name: 'Fuzz sandbox', channel: 'rcs', kind: 'sandbox', config: {} })
  // Receipt routes get a provider that no fuzzed PUT gives a receipt secret, so bodies reach the parsers.
  const receiptProviderId = await created('/api/channels', { name: 'Fuzz receipts', channel: 'email', kind: 'sandbox', config: {} })
  const journeyId = await created('/api/journeys', loadExample('netcore-cart-rcs', hookId))
  expect((await http(url, 'POST', `/api/journeys/${journeyId}/publish`, undefined, admin)).status).toBe(200)
  await http(url, 'POST', '/v1/identify', { userId: 'ann', traits: { FIRSTNAME: 'Ann' } }, writer)
  await http(url, 'POST', '/v1/track', { userId: 'ann', event: 'add_to_cart', messageId: 'seed-1' }, writer)
  const user = await until(
    () => http(url, 'GET', `/api/journeys/${journeyId}/users/ann`, undefined, admin),
    (r) => r.json.runs?.[0]?.history?.some((h: { kind: string }) => h.kind === 'message'),
    30_000,
  )
  const run = user.json.runs[0]
  const messageId = run.history.find((h: { kind: string }) => h.kind === 'message').messageId
  await http(url, 'POST', `/api/webhooks/${hookId}/test`, undefined, admin)
  const deliveries = (await http(url, 'GET', `/api/webhooks/${hookId}/deliveries`, undefined, admin)).json.deliveries ?? []
  return {
    'journeys.id': [journeyId],
    'webhooks.id': [hookId],
    'channels.id': [providerId],
    userId: ['ann', 'nobody'],
    runId: [String(run.runId)],
    version: ['1', '2'],
    providerId: [receiptProviderId],
    deliveryId: deliveries.map((d: { id: string }) => String(d.id)),
    messageId: [String(messageId)],
  }
}

/** Realistic bodies for routes whose schema says little (the graph is validated on publish). */
function examples(ctx: FuzzContext): Record<string, Json[]> {
  const hookId = ctx.ids['webhooks.id']?.[0] ?? 'none'
  const journey = JSON.parse(JSON.stringify(loadExample('netcore-cart-rcs', hookId)))
  const other = JSON.parse(JSON.stringify(loadExample('actions-with-user-properties', hookId)))
  const messageId = ctx.ids.messageId?.[0] ?? 'none'
  return {
    'POST /api/journeys': [journey, other],
    'PUT /api/journeys/{id}': [journey, other],
    'POST /api/validate': [{ graph: journey.graph, settings: journey.settings ?? {} }],
    'POST /v1/batch': [{ batch: [{ type: 'identify', userId: 'ann', traits: { plan: 'pro' } }, { type: 'track', userId: 'ann', event: 'add_to_cart', properties: { sku: 'x' } }] }],
    'POST /v1/activity': [{ userId: 'ann', channel: 'rcs', status: 'clicked', messageId }],
    'POST /api/channels/sandbox/emit': [{ messageId, status: 'delivered' }],
    'POST /api/webhooks': [{ name: 'Fuzz', url: `${ctx.receiverUrl}/hook`, encoding: 'form', auth: { type: 'basic', username: 'u', password: 'p' }, headers: { 'x-a': '1' } }],
    'POST /api/webhooks/{id}/preview': [{}],
    'POST /v1/receipts/sendgrid/{providerId}': [[{ event: 'delivered', email: 'ann@example.com', timestamp: 1767225600, sg_event_id: 'sg-1', switchyard_message_id: messageId }]],
    'POST /v1/receipts/push/{providerId}': [{ events: [{ switchyard_message_id: messageId, event: 'MESSAGE_DELIVERED', event_time: '2026-01-01T00:00:00Z' }] }],
    'POST /v1/receipts/twilio/{providerId}': [{ MessageSid: 'SM-fuzz', MessageStatus: 'delivered', ErrorCode: '' }],
    'POST /v1/receipts/dsn': [{ messageId }],
  }
}
