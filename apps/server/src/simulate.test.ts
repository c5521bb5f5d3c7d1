import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { action, days, edge, exit, graph, trigger, waitActivity, webhook, WebhookSink } from '@switchyard/testkit'
import { http, liveServers, until } from '../test/live'

const servers = liveServers()
let sink = new WebhookSink()
beforeEach(() => {
  sink = new WebhookSink()
})
afterEach(() => sink.stop())

const START = '2026-05-04T09:00:00.000Z'

/** Sign-up -> welcome email -> wait 3 days for it to be opened -> CRM webhook, or exit on timeout. */
function welcomeGraph(hookId: string) {
  return graph(
    [
      trigger('t', 'signed_up'),
      action('mail', 'email', { subject: 'Hi {{ user.traits.firstName }}', body: 'Welcome to {{ journey.name }}.' }),
      waitActivity('wait', 'opened', days(3)),
      webhook('crm', hookId, { params: ['user.traits.firstName'], customParams: { source: 'welcome' } }),
      exit('done'),
      exit('gone'),
    ],
    [edge('t', 'next', 'mail'), edge('mail', 'next', 'wait'), edge('wait', 'matched', 'crm'), edge('crm', 'next', 'done'), edge('wait', 'timeout', 'gone')],
  )
}

const twoUsers = {
  start: START,
  users: [
    { userId: 'asha', traits: { firstName: 'Asha', email: 'asha@example.com' } },
    { userId: 'ben', traits: { firstName: 'Ben', email: 'ben@example.com' } },
  ],
  events: [
    { at: '+0s', userId: 'asha', event: 'signed_up' },
    { at: '+1m', userId: 'ben', event: 'signed_up' },
    { at: '+2d', userId: 'asha', activity: { status: 'opened' } },
  ],
  until: '+7d',
}

async function journalRows(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  return Number(/^switchyard_journal_rows (\d+)$/m.exec(text)?.[1] ?? Number.NaN)
}

describe('POST /api/journeys/:id/simulate', () => {
  it('runs an unpublished draft with a 3-day wait for two users, and touches nothing live (its speed is bench figure 11)', async () => {
    const { url } = await servers.start({ WORKSPACE: 'acme' })
    const receiver = await sink.start()
    const hook = await http(url, 'POST', '/api/webhooks', { name: 'CRM', url: `${receiver}/crm`, encoding: 'json' })
    const draft = await http(url, 'POST', '/api/journeys', { name: 'Welcome', graph: welcomeGraph(hook.json.id), settings: { reentry: 'afterExit' } })
    const id: string = draft.json.id
    const journalBefore = await journalRows(url)

    const res = await http(url, 'POST', `/api/journeys/${id}/simulate`, twoUsers)
    expect(res.status).toBe(200)

    const [asha, ben] = res.json.users
    const steps = (u: { path: { kind: string; nodeId: string; outlet: string | null }[] }) => u.path.filter((h) => h.outlet !== null || !['message', 'webhook'].includes(h.kind)).map((h) => `${h.kind}:${h.nodeId}${h.outlet ? `>${h.outlet}` : ''}`)
    expect(steps(asha)).toEqual(['entered:t>next', 'message:mail>next', 'entered:wait', 'event:wait>matched', 'webhook:crm>next', 'completed:done'])
    expect(asha.path.find((h: { kind: string }) => h.kind === 'event').at).toBe('2026-05-06T09:00:00.000Z')
    expect(asha.endedAt).toBe('2026-05-06T09:00:00.000Z')
    expect(steps(ben)).toEqual(['entered:t>next', 'message:mail>next', 'entered:wait', 'timeout:wait>timeout', 'completed:gone'])
    // The timer fired at its due time, three days after Ben's message, not when the simulation ended.
    expect(ben.path.find((h: { kind: string }) => h.kind === 'timeout').at).toBe('2026-05-07T09:01:00.000Z')
    expect(ben.waitingAt).toBeUndefined()

    expect(res.json.stats.nodes.wait).toEqual({ label: 'Wait for event', entered: 2, active: 0, outlets: { matched: 1, timeout: 1 } })
    expect(res.json.stats.journey).toMatchObject({ users: 2, entered: 2 })
    const effects = res.json.effects.map((e: { kind: string; userId: string; nodeId: string; at: string }) => `${e.at} ${e.kind} ${e.nodeId} ${e.userId}`)
    expect(effects).toEqual(['2026-05-04T09:00:00.000Z message mail asha', '2026-05-04T09:01:00.000Z message mail ben', '2026-05-06T09:00:00.000Z webhook crm asha'])
    // Rendered with the simulated user's traits, as they would leave.
    expect(res.json.effects[0].rendered).toMatchObject({ channel: 'email', to: 'asha@example.com', fields: { subject: 'Hi Asha', body: 'Welcome to Welcome.' } })
    const hookEffect = res.json.effects[2].rendered
    expect(hookEffect.url).toBe(`${receiver}/crm`)
    expect(JSON.parse(hookEffect.body).acme[0]).toMatchObject({ channel: 'email', event: 'open', journey_name: 'Welcome', custom_params: { source: 'welcome' }, att_params: { firstName: 'Asha' }, event_params: { foreignkey: 'asha' } })

    // Nothing live: no stats, no journal rows, no runs, and the draft is still a draft.
    expect((await http(url, 'GET', `/api/journeys/${id}/stats`)).json.nodes).toEqual({})
    expect(await journalRows(url)).toBe(journalBefore)
    expect((await http(url, 'GET', `/api/journeys/${id}/users/asha`)).json.runs).toEqual([])
    expect((await http(url, 'GET', `/api/journeys/${id}`)).json).toMatchObject({ status: 'draft', version: null })
    // No provider was handed a message: the sandbox, which takes every email here, recorded none.
    expect((await http(url, 'GET', '/api/channels/messages')).json.messages).toEqual([])

    // The receiver gets a live delivery through the same webhook, and only that one: had the
    // simulation queued anything, the dispatcher would have sent it first.
    const live = await http(url, 'POST', '/api/journeys', {
      name: 'Live',
      graph: graph([trigger('lt', 'ping'), webhook('lh', hook.json.id), exit('lx')], [edge('lt', 'next', 'lh'), edge('lh', 'next', 'lx')]),
    })
    await http(url, 'POST', `/api/journeys/${live.json.id}/publish`)
    await http(url, 'POST', '/v1/track', { userId: 'zed', event: 'ping', messageId: 'ping-1' })
    await sink.waitFor(1)
    await until(() => http(url, 'GET', `/api/journeys/${live.json.id}/stats`), (r) => r.json.nodes.lh?.entered === 1)
    expect(sink.received).toHaveLength(1)
    expect(JSON.parse(sink.received[0]?.body ?? '{}').acme[0].event_params.foreignkey).toBe('zed')
  })

  it('gives the same answer, byte for byte, for the same request', async () => {
    const { url } = await servers.start({ WORKSPACE: 'acme' })
    const hook = await http(url, 'POST', '/api/webhooks', { name: 'CRM', url: 'http://127.0.0.1:9/crm', encoding: 'form' })
    const id = (await http(url, 'POST', '/api/journeys', { name: 'Welcome', graph: welcomeGraph(hook.json.id) })).json.id
    const read = async () => (await fetch(`${url}/api/journeys/${id}/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(twoUsers) })).text()
    const first = await read()
    expect(first).toContain('"userId":"asha"')
    expect(await read()).toBe(first)
  })

  it('simulates a graph given in the body instead of the draft, and answers a graph with problems like publish', async () => {
    const { url } = await servers.start()
    const hook = await http(url, 'POST', '/api/webhooks', { name: 'CRM', url: 'http://127.0.0.1:9/crm', encoding: 'json' })
    const id = (await http(url, 'POST', '/api/journeys', { name: 'Empty', graph: { nodes: [], edges: [] } })).json.id
    const invalid = await http(url, 'POST', `/api/journeys/${id}/simulate`, { users: [] })
    expect(invalid.status).toBe(422)
    expect(invalid.json.error.code).toBe('journey.invalid')
    expect(invalid.json.issues.length).toBeGreaterThan(0)
    const given = await http(url, 'POST', `/api/journeys/${id}/simulate`, { ...twoUsers, graph: welcomeGraph(hook.json.id) })
    expect(given.status).toBe(200)
    expect(given.json.users.map((u: { userId: string; endedAt?: string }) => [u.userId, u.endedAt])).toEqual([
      ['asha', '2026-05-06T09:00:00.000Z'],
      ['ben', '2026-05-07T09:01:00.000Z'],
    ])
  })

  it('stops at "until": a user still waiting says where, and events at "until" still apply', async () => {
    const { url } = await servers.start()
    const hook = await http(url, 'POST', '/api/webhooks', { name: 'CRM', url: 'http://127.0.0.1:9/crm', encoding: 'json' })
    const id = (await http(url, 'POST', '/api/journeys', { name: 'Welcome', graph: welcomeGraph(hook.json.id) })).json.id
    const res = await http(url, 'POST', `/api/journeys/${id}/simulate`, {
      start: START,
      users: [{ userId: 'cy' }, { userId: 'di' }],
      events: [
        { at: '+0s', userId: 'cy', event: 'signed_up' },
        { at: '+0s', userId: 'di', event: 'signed_up' },
        { at: '+1d', userId: 'di', activity: { status: 'opened' } },
      ],
      until: '+1d',
    })
    expect(res.status).toBe(200)
    expect(res.json.users[0]).toMatchObject({ userId: 'cy', waitingAt: 'wait' })
    expect(res.json.users[0].endedAt).toBeUndefined()
    expect(res.json.users[1]).toMatchObject({ userId: 'di', endedAt: '2026-05-05T09:00:00.000Z' })
    expect(res.json.stats.nodes.wait).toEqual({ label: 'Wait for event', entered: 2, active: 1, outlets: { matched: 1 } })
    // Liquid with a missing trait renders empty, as a send would: the preview shows what the user gets.
    expect(res.json.effects[0].rendered.fields.subject).toBe('Hi ')
  })

  it('refuses bad input with a 4xx that says what to fix', async () => {
    const { url } = await servers.start()
    const id = (await http(url, 'POST', '/api/journeys', { name: 'x', graph: { nodes: [], edges: [] } })).json.id
    const cases: [unknown, number, string, RegExp][] = [
      [{ events: [{ at: 'tomorrow', userId: 'a', event: 'x' }] }, 400, 'body.invalid', /ISO time or a time after the start/],
      [{ events: [{ at: '+1d', userId: 'a' }] }, 400, 'body.invalid', /either an "event" name or an "activity"/],
      [{ start: START, events: [{ at: '2026-05-01T00:00:00Z', userId: 'a', event: 'x' }] }, 400, 'simulation.invalid', /events\.0 .* outside the simulation/],
      [{ events: [{ at: '+40d', userId: 'a', event: 'x' }] }, 400, 'simulation.invalid', /outside the simulation/],
      [{ until: '+2y' }, 400, 'body.invalid', /"\+<number><s\|m\|h\|d\|w>"/],
      [{ until: '+400d' }, 400, 'simulation.invalid', /at most 366 days/],
      [{ graph: { nodes: 'no' } }, 400, 'body.invalid', /nodes/],
      [{ users: [{ userId: '' }] }, 400, 'body.invalid', /userId/],
    ]
    for (const [body, status, code, message] of cases) {
      const res = await http(url, 'POST', `/api/journeys/${id}/simulate`, body)
      expect([res.status, res.json.error.code], JSON.stringify(body)).toEqual([status, code])
      expect(res.json.error.message).toMatch(message)
    }
    expect((await http(url, 'POST', '/api/journeys/nope/simulate', {})).status).toBe(404)
  })
})
