import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EXAMPLE_NAMES, exampleFiles, loadExample } from './examples'
import { edge, graph, trigger, exit } from './graph'
import { WebhookSink } from './sink'

describe('examples', () => {
  it('loads every sample journey, with the webhook id swapped in', () => {
    expect(exampleFiles().sort()).toEqual(EXAMPLE_NAMES.map((n) => `${n}.json`).sort())
    const netcore = loadExample('netcore-cart-rcs', 'wh_42')
    const hook = netcore.graph.nodes.find((n) => n.type === 'webhook')
    expect(hook?.data.webhookId).toBe('wh_42')
    expect(netcore.settings.reentry).toBe('afterExit')
  })
})

describe('graph builders', () => {
  it('name edges by source, outlet and target', () => {
    const g = graph([trigger('t', 'x'), exit('x')], [edge('t', 'next', 'x')])
    expect(g.edges).toEqual([{ id: 't-next-x', source: 't', target: 'x', sourceHandle: 'next' }])
  })
})

describe('webhook sink', () => {
  let sink = new WebhookSink()
  beforeEach(() => {
    sink = new WebhookSink()
  })
  afterEach(() => sink.stop())

  it('records what it is sent and answers as told', async () => {
    const url = await sink.start()
    sink.respond = (_req, i) => ({ status: i === 0 ? 503 : 200 })
    const first = await fetch(`${url}/a?b=1`, { method: 'POST', body: 'hello', headers: { 'x-k': 'v' } })
    const second = await fetch(`${url}/a`, { method: 'POST', body: 'again' })
    await sink.waitFor(2)
    expect([first.status, second.status]).toEqual([503, 200])
    expect(sink.received.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/a?b=1', 'hello'],
      ['POST', '/a', 'again'],
    ])
    expect(sink.received[0]?.headers['x-k']).toBe('v')
  })

  it('fails a wait that is never satisfied', async () => {
    await sink.start()
    await expect(sink.waitFor(1, 50)).rejects.toThrow('0 of 1')
  })
})
