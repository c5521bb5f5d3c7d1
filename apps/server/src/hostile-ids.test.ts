import { describe, expect, it } from 'vitest'
import { action, condition, edge, exit, graph, journeyInput, minutes, trigger, waitActivity, webhook, WebhookSink } from '@switchyard/testkit'
import { http, liveServers, until } from '../test/live'

const servers = liveServers()

/**
 * Names that live on `Object.prototype`: as node ids, outlets, trait names, webhook names or
 * params they must be plain data in every layer, never a way to reach or replace a prototype.
 */
const HOSTILE = {
  trigger: 'constructor',
  message: 'toString',
  wait: 'hasOwnProperty',
  check: 'valueOf',
  hook: 'isPrototypeOf',
  reacted: 'toLocaleString',
  silent: '__defineGetter__',
} as const

function hostileJourney(webhookId: string) {
  const h = HOSTILE
  return journeyInput(
    'constructor',
    graph(
      [
        trigger(h.trigger, '__proto__', { path: 'event.properties.constructor', op: 'eq', value: 'ctor' }),
        action(h.message, 'sms', { text: 'Hi {{ user.traits.constructor }} {{ user.traits.toString }} {{ user.traits.__proto__ }}.' }),
        waitActivity(h.wait, 'clicked', minutes(10)),
        condition(h.check, { path: 'user.traits.valueOf', op: 'eq', value: 'yes' }),
        webhook(h.hook, webhookId, { params: ['user.traits.__proto__', 'user.traits.toString', 'event.properties.constructor'], customParams: JSON.parse('{"__proto__": "p", "constructor": "c"}') }),
        exit(h.reacted),
        exit(h.silent),
      ],
      [
        edge(h.trigger, 'next', h.message),
        edge(h.message, 'next', h.wait),
        edge(h.wait, 'matched', h.check),
        edge(h.wait, 'timeout', h.silent),
        edge(h.check, 'yes', h.hook),
        edge(h.check, 'no', h.silent),
        edge(h.hook, 'next', h.reacted),
      ],
    ),
  )
}

describe('ids and keys named like Object.prototype members', () => {
  it('run through validate, compile, engine, stats, history and webhook payloads without reaching a prototype', async () => {
    const running = await servers.start({ WORKSPACE: '__proto__' })
    const url = running.url
    const sink = new WebhookSink()
    await sink.start()
    servers.onCleanup(() => sink.stop())
    const hook = await http(url, 'POST', '/api/webhooks', { name: '__proto__', url: `${sink.url}/crm`, headers: { constructor: 'x' }, query: { toString: 'q' } })
    expect(hook.status).toBe(201)

    const created = await http(url, 'POST', '/api/journeys', hostileJourney(hook.json.id))
    expect(created.status).toBe(201)
    expect(created.json.issues).toEqual([])
    const id = created.json.id
    expect((await http(url, 'POST', `/api/journeys/${id}/publish`)).status).toBe(200)

    const traits = JSON.parse('{"__proto__": "P", "constructor": "C", "toString": "S", "valueOf": "yes"}')
    expect((await http(url, 'POST', '/v1/identify', { userId: '__proto__', traits })).status).toBe(200)
    const properties = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "ctor"}')
    expect((await http(url, 'POST', '/v1/track', { userId: '__proto__', event: '__proto__', properties })).status).toBe(200)
    expect((await http(url, 'POST', '/v1/track', { userId: 'constructor', event: '__proto__', properties })).status).toBe(200)

    const ann = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/__proto__`),
      (r) => r.json?.runs?.[0]?.history?.some((h: { kind: string; detail: { status?: string } | null }) => h.kind === 'message' && h.detail?.status === 'sent'),
    )
    const sent = ann.json.runs[0].history.find((h: { kind: string; detail: { status?: string } | null }) => h.kind === 'message' && h.detail?.status === 'sent')
    // A key named __proto__ is dropped where JSON enters (it can only be an attack); other names are data.
    expect(JSON.stringify(sent.detail)).toContain('Hi C S .')
    const messageId = sent.messageId
    expect((await http(url, 'POST', '/v1/activity', { userId: '__proto__', channel: 'sms', status: 'clicked', messageId })).status).toBe(200)
    await until(() => sink.received.length, (n) => n >= 1)

    const payload = JSON.parse(sink.received[0]?.body ?? '{}')
    const item = payload['__proto__']?.[0]
    expect(Object.keys(payload)).toEqual(['__proto__'])
    expect(item.webhook_name).toBe('__proto__')
    expect(item.custom_params).toEqual({ constructor: 'c' })
    expect(JSON.stringify(item.att_params)).toContain('"S"')
    expect(sink.received[0]?.path).toContain('toString=q')
    expect(sink.received[0]?.headers['constructor']).toBe('x')

    const done = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/__proto__`),
      (r) => r.json?.runs?.[0]?.status === 'completed',
    )
    expect(done.json.runs[0].history.map((h: { nodeId: string; outlet: string | null }) => [h.nodeId, h.outlet]).filter(([, o]: [string, string | null]) => o !== null)).toEqual([
      [HOSTILE.trigger, 'next'],
      [HOSTILE.message, 'next'],
      [HOSTILE.wait, 'matched'],
      [HOSTILE.check, 'yes'],
      [HOSTILE.hook, 'next'],
    ])

    const stats = await http(url, 'GET', `/api/journeys/${id}/stats`)
    expect(stats.status).toBe(200)
    expect(Object.getPrototypeOf(stats.json.nodes)).toBe(Object.prototype)
    expect(stats.json.nodes[HOSTILE.trigger]).toEqual({ label: 'Trigger', entered: 2, active: 0, outlets: { next: 2 } })
    expect(stats.json.nodes[HOSTILE.message]).toEqual({
      label: 'Message',
      entered: 2,
      active: 0,
      outlets: { next: 2 },
      messages: { sent: 2, delivered: 1, opened: 1, clicked: 1, failed: 0, bounced: 0, noAddress: 2 },
    })
    expect(stats.json.nodes[HOSTILE.wait]).toEqual({ label: 'Wait for event', entered: 2, active: 1, outlets: { matched: 1 } })
    expect(stats.json.nodes[HOSTILE.check]).toEqual({ label: 'Condition', entered: 1, active: 0, outlets: { yes: 1 } })
    expect(stats.json.nodes[HOSTILE.hook]).toEqual({ label: 'Webhook', entered: 1, active: 0, outlets: { next: 1 } })
    expect(Object.hasOwn(stats.json.nodes, HOSTILE.silent)).toBe(false)

    // The process is unharmed: nothing reached Object.prototype, every route still answers.
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    for (const path of ['/healthz', '/api/journeys', `/api/journeys/${id}/stats`, '/openapi.json']) expect((await http(url, 'GET', path)).status).toBe(200)
    expect((await http(url, 'POST', '/v1/track', { userId: 'later', event: 'other' })).status).toBe(200)
  })

  it('refuses to publish a step whose id is __proto__, which no JSON reader keeps as a key', async () => {
    const url = (await servers.start()).url
    const input = journeyInput('Proto', graph([trigger('__proto__', 'Signed Up'), exit('x')], [edge('__proto__', 'next', 'x')]))
    const { id } = (await http(url, 'POST', '/api/journeys', input)).json
    const published = await http(url, 'POST', `/api/journeys/${id}/publish`)
    expect(published.status).toBe(422)
    expect(published.json.issues).toEqual([expect.objectContaining({ code: 'node.reserved_id', nodeId: '__proto__' })])
    expect((await http(url, 'GET', '/healthz')).status).toBe(200)
  })
})
