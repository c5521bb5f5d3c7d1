import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { boot, type Running } from '../../../apps/server/src/boot'
import { loadConfig } from '../../../apps/server/src/config'
import type { Logger } from '../../../apps/server/src/log'
import { hostileBodies } from './bodies'
import { type Answer, isErrorShape, raw } from './http'

let running: Running
let port = 0
const bugs: string[] = []
const log: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (msg, fields) => bugs.push(`${msg} ${JSON.stringify(fields ?? {})}`.slice(0, 500)),
}
let journeyId = ''
let webhookId = ''

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-bad-input-'))
  running = await boot(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'switchyard.db')}` }), log)
  port = Number(new URL(running.url).port)
  const hook = await post('/api/webhooks', { name: 'Nowhere', url: 'http://127.0.0.1:9/hook' })
  webhookId = String(JSON.parse(hook.body).id)
  const j = await post('/api/journeys', { name: 'Fuzz', graph: { nodes: [], edges: [] } })
  journeyId = String(JSON.parse(j.body).id)
})

afterAll(async () => {
  await running.stop()
})

const post = (path: string, body: unknown) => raw(port, { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

/** Every operation of the OpenAPI document, with its path parameters filled in (real ids and made-up ones). */
async function operations(): Promise<{ method: string; path: string }[]> {
  const doc: unknown = JSON.parse((await raw(port, { method: 'GET', path: '/openapi.json' })).body)
  const paths = doc !== null && typeof doc === 'object' && 'paths' in doc && doc.paths !== null && typeof doc.paths === 'object' ? doc.paths : {}
  const out: { method: string; path: string }[] = []
  for (const [template, ops] of Object.entries(paths)) {
    for (const method of Object.keys(ops !== null && typeof ops === 'object' ? ops : {})) {
      const fills = template.startsWith('/api/webhooks/') ? [webhookId, 'nope', '__proto__'] : template.startsWith('/api/journeys/') ? [journeyId, 'nope', 'constructor'] : ['nope', '%00']
      for (const fill of fills) out.push({ method: method.toUpperCase(), path: template.replace(/\{[^}]+\}/g, fill) })
    }
  }
  // Deletes last, so the ids stay valid for the other operations.
  return out.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'))
}

function judge(what: string, a: Answer, problems: string[]): void {
  if (a.status === -1) return // the server cut a body it had already refused
  if (a.status >= 500 || a.status === 0) problems.push(`${what}: ${a.status} ${a.body.slice(0, 200)}`)
  else if (a.status >= 400 && !isErrorShape(a.body)) problems.push(`${what}: ${a.status} without {error:{code,message}}: ${a.body.slice(0, 200)}`)
}

describe('bad input against the running server', () => {
  it('answers every hostile body on every endpoint with a 2xx or a 4xx that has a code, and never a 5xx', async () => {
    const rssBefore = process.memoryUsage().rss
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort()
    const problems: string[] = []
    const statuses = new Map<number, number>()
    const ops = await operations()
    expect(ops.length).toBeGreaterThan(30)
    for (const op of ops) {
      const bodies = op.method === 'GET' || op.method === 'DELETE' ? [{ name: 'no body', body: undefined, contentType: undefined }] : hostileBodies()
      for (const b of bodies) {
        const query = op.method === 'GET' ? '?limit=1e400&version=-0&prefix=%00&offset=NaN' : ''
        const a = await raw(port, {
          method: op.method,
          path: `${op.path}${query}`,
          headers: b.contentType === undefined ? {} : { 'content-type': b.contentType },
          ...(b.body === undefined ? {} : { body: b.body }),
        })
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1)
        judge(`${op.method} ${op.path} [${b.name}]`, a, problems)
      }
    }
    expect(problems).toEqual([])
    expect(bugs).toEqual([])
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore)
    expect(Reflect.get({}, 'polluted')).toBeUndefined()
    // Bodies are read up to their limit and dropped: memory stays bounded however much is thrown at it.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024)
    expect([...statuses.keys()].every((s) => s === -1 || (s >= 200 && s < 500))).toBe(true)
  }, 180_000)

  it('refuses oversize bodies, declared or chunked without a Content-Length, with a 400 that says so', async () => {
    const problems: string[] = []
    const targets = [
      { path: '/v1/track', limit: 32 * 1024 },
      { path: '/v1/identify', limit: 32 * 1024 },
      { path: '/v1/batch', limit: 500 * 1024 },
      { path: '/v1/activity', limit: 32 * 1024 },
      { path: '/api/journeys', limit: 1024 * 1024 },
      { path: '/api/webhooks', limit: 256 * 1024 },
    ]
    for (const t of targets) {
      const big = JSON.stringify({ userId: 'u', event: 'e', name: 'x'.repeat(t.limit + 10) })
      const chunk = 'x'.repeat(16 * 1024)
      const chunks = ['{"userId":"u","event":"e","p":"', ...Array.from({ length: Math.ceil(t.limit / chunk.length) + 2 }, () => chunk), '"}']
      const answers: [string, Answer][] = [
        ['declared', await raw(port, { method: 'POST', path: t.path, headers: { 'content-type': 'application/json' }, body: big })],
        ['chunked', await raw(port, { method: 'POST', path: t.path, headers: { 'content-type': 'application/json' }, chunks })],
        ['lying content-length', await raw(port, { method: 'POST', path: t.path, headers: { 'content-type': 'application/json', 'content-length': '10' }, body: big.slice(0, 10) })],
      ]
      for (const [how, a] of answers) {
        judge(`${t.path} ${how}`, a, problems)
        if (how !== 'lying content-length' && a.status !== -1 && (a.status !== 400 || !a.body.includes('payload.too_large'))) problems.push(`${t.path} ${how}: ${a.status} ${a.body.slice(0, 120)}`)
      }
    }
    expect(problems).toEqual([])
    expect(bugs).toEqual([])
  }, 60_000)

  it('still serves a valid event after all of that', async () => {
    const a = await post('/v1/track', { userId: 'ann', event: 'after_the_storm', messageId: 'fuzz-after' })
    expect(a).toEqual({ status: 200, body: '{"success":true}' })
  })
})
