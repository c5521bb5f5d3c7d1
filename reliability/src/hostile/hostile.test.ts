import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { compileJourney } from '@switchyard/compiler'
import { validateGraph } from '@switchyard/schema'
import { WebhookSink, action, edge, exit, graph, journeyInput, trigger, webhook } from '@switchyard/testkit'
import { boot, type Running } from '../../../apps/server/src/boot'
import { loadConfig } from '../../../apps/server/src/config'
import { silentLogger } from '../../../apps/server/src/log'
import { conditionChain, nestedCondition } from './graphs'

let running: Running
const sink = new WebhookSink()
let webhookId = ''

const Id = z.object({ id: z.string() })
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
const Runs = z.object({ runs: z.array(z.object({ status: z.string(), history: z.array(z.object({ kind: z.string(), detail: z.unknown() })) })) })

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${running.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  return { status: res.status, json: await res.json() }
}

async function publishOverHttp(input: unknown): Promise<string> {
  const created = Id.parse((await call('POST', '/api/journeys', input)).json)
  const published = await call('POST', `/api/journeys/${created.id}/publish`)
  if (published.status !== 200) throw new Error(`publish: ${JSON.stringify(published.json)}`)
  return created.id
}

/** Sends one event for a fresh user and resolves with how long it took until their run shows `status`. */
async function timeToApply(journeyId: string, event: string, status: string): Promise<number> {
  const user = `canary-${Math.random().toString(36).slice(2)}`
  const start = Date.now()
  expect((await call('POST', '/v1/track', { userId: user, event, messageId: `${user}-1` })).status).toBe(200)
  for (;;) {
    const runs = Runs.parse((await call('GET', `/api/journeys/${journeyId}/users/${user}`)).json).runs
    if (runs[0]?.status === status) return Date.now() - start
    if (Date.now() - start > 10_000) throw new Error(`${user} not ${status} after 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

beforeAll(async () => {
  const url = await sink.start()
  const dir = mkdtempSync(join(tmpdir(), 'sy-hostile-'))
  running = await boot(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ALLOW_PRIVATE_TARGETS: '127.0.0.0/8' }), silentLogger)
  webhookId = Id.parse((await call('POST', '/api/webhooks', { name: 'Sink', url: `${url}/hook`, retry: { maxAttempts: 1 } })).json).id
})

afterAll(async () => {
  await running.stop()
  await sink.stop()
})

describe('hostile journey definitions', () => {
  it('refuses a graph of more than 20,000 nodes, and validates and compiles 10,000 within 5 s each', () => {
    const tooBig = validateGraph(conditionChain(20_001, 'go'))
    expect(tooBig.ok ? [] : tooBig.issues.map((i) => i.code)).toEqual(['graph.malformed'])
    let t = performance.now()
    const ok = validateGraph(conditionChain(10_000, 'go'))
    const validateMs = performance.now() - t
    if (!ok.ok) throw new Error(JSON.stringify(ok.issues.slice(0, 3)))
    t = performance.now()
    compileJourney(ok.graph)
    const compileMs = performance.now() - t
    process.stdout.write(`10,000 nodes: validate ${Math.round(validateMs)} ms, compile ${Math.round(compileMs)} ms\n`)
    expect({ validateMs: validateMs < 5000, compileMs: compileMs < 5000 }).toEqual({ validateMs: true, compileMs: true })
  })

  it('answers a 10,000-node graph over HTTP with a clear 400: it is over the 1 MB body limit', async () => {
    const r = await call('POST', '/api/journeys', { name: 'Huge', graph: conditionChain(10_000, 'go') })
    expect(r.status).toBe(400)
    expect(ErrorBody.parse(r.json).error.code).toBe('payload.too_large')
  })

  it('refuses conditions nested past their bound with an issue on the node, and past the JSON depth limit with a 400', async () => {
    const g = graph([trigger('t', 'go'), exit('x')], [edge('t', 'next', 'x')])
    const nested = { ...g, nodes: g.nodes.map((n) => (n.id === 't' ? { ...n, data: { event: 'go', where: nestedCondition(40) } } : n)) }
    const created = await call('POST', '/api/journeys', { name: 'Nested', graph: nested })
    const id = Id.parse(created.json).id
    const published = await call('POST', `/api/journeys/${id}/publish`)
    expect(published.status).toBe(422)
    const tooDeep = await call('POST', '/api/journeys', `{"name":"Deep","graph":{"nodes":[{"id":"t","type":"trigger","position":{"x":0,"y":0},"data":{"event":"go","where":${'{"not":'.repeat(5000)}{"path":"user.id","op":"exists"}${'}'.repeat(5000)}}}],"edges":[]}}`)
    expect(tooDeep.status).toBe(400)
    expect(ErrorBody.parse(tooDeep.json).error.code).toBe('body.too_deep')
  })

  it('runs users through a 10,000-node journey and applies another user’s event once their batch is done', async () => {
    const canaryJourney = await publishOverHttp(journeyInput('Canary', graph([trigger('t', 'ping'), exit('x')], [edge('t', 'next', 'x')])))
    // Over the HTTP limit, so published through the engine itself, as an import tool would.
    let t = performance.now()
    const big = await running.engine.createJourney(journeyInput('Ten thousand', conditionChain(10_000, 'big')))
    expect((await running.engine.publish(big.id))?.ok).toBe(true)
    const publishMs = performance.now() - t
    t = performance.now()
    const batch = Array.from({ length: 20 }, (_, i) => ({ type: 'track', userId: `big-${i}`, event: 'big', messageId: `big-${i}` }))
    // Sent together: the server is in this process, so only a clock started before both sees the wait.
    const [bigAnswer, waited] = await Promise.all([call('POST', '/v1/batch', { batch }), timeToApply(canaryJourney, 'ping', 'completed')])
    expect(bigAnswer.status).toBe(200)
    process.stdout.write(`10,000-node journey: published in ${Math.round(publishMs)} ms; another user's event applied ${waited} ms after it was sent\n`)
    // Known limit: a batch is applied as a whole, so users behind 20 walks of 10,000 steps wait for
    // them (about 0.3 s each on 2 cores). Bounded here so a regression shows; see the README.
    expect(waited).toBeLessThan(20_000)
    const runs = Runs.parse((await call('GET', `/api/journeys/${big.id}/users/big-0`)).json).runs
    expect(runs[0]?.status).toBe('completed')
  }, 60_000)
})

describe('hostile templates', () => {
  it('cuts off Liquid loops and huge outputs in webhook and message templates, and other users are served meanwhile', async () => {
    const canaryJourney = await publishOverHttp(journeyInput('Canary 2', graph([trigger('t', 'ping2'), exit('x')], [edge('t', 'next', 'x')])))
    const loop = '{% for i in (1..100000000) %}{% for j in (1..100000000) %}x{% endfor %}{% endfor %}'
    const huge = '{% for i in (1..1000000) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}'
    const hostile = await publishOverHttp(
      journeyInput(
        'Hostile templates',
        graph(
          [
            trigger('t', 'hostile'),
            webhook('loop', webhookId, { body: { kind: 'template', template: loop } }),
            webhook('huge', webhookId, { body: { kind: 'template', template: huge } }),
            action('mail', 'email', { subject: loop, body: huge }),
            webhook('fine', webhookId, { body: { kind: 'template', template: '{"ok":true}' } }),
            exit('x'),
          ],
          [edge('t', 'next', 'loop'), edge('loop', 'next', 'huge'), edge('huge', 'next', 'mail'), edge('mail', 'next', 'fine'), edge('fine', 'next', 'x')],
        ),
      ),
    )
    for (let i = 0; i < 10; i++) expect((await call('POST', '/v1/track', { userId: `h-${i}`, event: 'hostile', messageId: `h-${i}` })).status).toBe(200)
    const waited = await timeToApply(canaryJourney, 'ping2', 'completed')
    process.stdout.write(`hostile templates: another user's event applied ${waited} ms after it was sent\n`)
    expect(waited).toBeLessThan(3000)

    // Every hostile delivery ends dead with the template's error; only the fine ones reach the sink.
    const Deliveries = z.object({ deliveries: z.array(z.object({ status: z.string(), history: z.array(z.object({ error: z.string().nullable() })) })) })
    const deadline = Date.now() + 30_000
    let deliveries = Deliveries.parse((await call('GET', `/api/webhooks/${webhookId}/deliveries?limit=100`)).json).deliveries
    while (deliveries.filter((d) => d.status === 'dead' || d.status === 'delivered').length < 30 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      deliveries = Deliveries.parse((await call('GET', `/api/webhooks/${webhookId}/deliveries?limit=100`)).json).deliveries
    }
    expect(deliveries.filter((d) => d.status === 'dead')).toHaveLength(20)
    expect(deliveries.filter((d) => d.status === 'delivered')).toHaveLength(10)
    for (const d of deliveries.filter((x) => x.status === 'dead')) expect(d.history[0]?.error ?? '').toMatch(/limit|exceed|too|larger/i)
    expect(Math.max(...sink.received.map((r) => r.body.length))).toBeLessThan(256 * 1024)

    const runs = Runs.parse((await call('GET', `/api/journeys/${hostile}/users/h-0`)).json).runs
    expect(runs[0]?.status).toBe('completed')
    const message = runs[0]?.history.filter((h) => h.kind === 'message') ?? []
    expect(JSON.stringify(message)).toMatch(/limit|exceed|too|fail/i)
  }, 60_000)
})
