import { describe, expect, it } from 'vitest'
import { edge, exit, graph, journeyInput, loadExample, seconds, trigger, waitEvent } from '@switchyard/testkit'
import { testApp } from '../test/harness'

const MIN = 60_000

describe('journey lifecycle over HTTP', () => {
  it('publishes the Netcore journey, runs its events and shows timelines and stats that agree', async () => {
    const t = await testApp()
    const created = await t.request('POST', '/api/journeys', loadExample('netcore-cart-rcs', 'wh_cc'))
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({ status: 'draft', version: null, hasUnpublishedChanges: true, issues: [] })
    const id = created.json.id
    expect(await t.request('POST', `/api/journeys/${id}/publish`)).toMatchObject({ status: 200, json: { version: 1, activeUsersOnOlderVersions: 0 } })
    expect((await t.request('GET', `/api/journeys/${id}`)).json).toMatchObject({ status: 'live', version: 1, hasUnpublishedChanges: false })

    await t.request('POST', '/v1/identify', { userId: 'ann', traits: { FIRSTNAME: 'Ann' } })
    await t.request('POST', '/v1/batch', { batch: ['ann', 'bob', 'cid'].map((userId) => ({ type: 'track', userId, event: 'add_to_cart' })) })
    await t.engine.runUntilIdle()
    const ann = (await t.request('GET', `/api/journeys/${id}/users/ann`)).json.runs[0]
    const msg = ann.history.find((h: { kind: string }) => h.kind === 'message').messageId
    await t.request('POST', '/v1/activity', { userId: 'ann', channel: 'rcs', status: 'clicked', messageId: msg })
    await t.engine.runUntilIdle()
    t.clock.advance(15 * MIN)
    await t.engine.runUntilIdle()

    const runs = (await t.request('GET', `/api/journeys/${id}/users/ann`)).json.runs
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ version: 1, status: 'completed', currentNodeId: 'done', waitingUntil: null })
    expect(runs[0].history.map((h: { kind: string; nodeId: string; outlet: string | null }) => [h.kind, h.nodeId, h.outlet])).toEqual([
      ['entered', 'trigger', 'next'],
      ['message', 'rcs', 'next'],
      ['entered', 'wait', null],
      ['event', 'wait', 'matched'],
      ['webhook', 'hook', 'next'],
      ['completed', 'done', null],
    ])
    expect(runs[0].history[3].messageId).toBe(msg)
    const bob = (await t.request('GET', `/api/journeys/${id}/users/bob`)).json.runs[0]
    expect(bob.history.map((h: { kind: string }) => h.kind)).toEqual(['entered', 'message', 'entered', 'timeout', 'completed'])

    const stats = (await t.request('GET', `/api/journeys/${id}/stats`)).json
    expect(stats.nodes.trigger).toEqual({ label: 'Trigger', entered: 3, active: 0, outlets: { next: 3 } })
    expect(stats.nodes.wait).toEqual({ label: 'Wait for event', entered: 3, active: 0, outlets: { matched: 1, timeout: 2 } })
    expect(stats.nodes.hook.entered).toBe(1)
    expect(stats.nodes['no-click'].entered).toBe(2)
    // Stats agree with the timelines: users who left the wait by each outlet.
    const outlets: Record<string, number> = {}
    for (const user of ['ann', 'bob', 'cid']) {
      const run = (await t.request('GET', `/api/journeys/${id}/users/${user}`)).json.runs[0]
      for (const h of run.history) if (h.nodeId === 'wait' && h.outlet) outlets[h.outlet] = (outlets[h.outlet] ?? 0) + 1
    }
    expect(outlets).toEqual(stats.nodes.wait.outlets)
    const users = (await t.request('GET', `/api/journeys/${id}/users?limit=10`)).json.users
    expect(users.map((u: { userId: string }) => u.userId).sort()).toEqual(['ann', 'bob', 'cid'])
  })

  it('saves invalid drafts, reports their issues, and refuses to publish them with 422', async () => {
    const t = await testApp()
    const { id } = (await t.request('POST', '/api/journeys', { name: 'Empty' })).json
    const put = await t.request('PUT', `/api/journeys/${id}`, {
      graph: { nodes: [{ id: 'w', type: 'waitForEvent', position: { x: 0, y: 0 }, data: { event: 'x', within: { amount: 5, unit: 'years' } } }], edges: [] },
    })
    expect(put.status).toBe(200)
    expect(put.json.name).toBe('Empty')
    expect(put.json.issues.map((i: { code: string }) => i.code)).toContain('trigger.missing')
    const pub = await t.request('POST', `/api/journeys/${id}/publish`)
    expect(pub.status).toBe(422)
    expect(pub.json.issues.length).toBeGreaterThanOrEqual(2)
    expect(pub.json.error.code).toBe('journey.invalid')
    expect(pub.json.issues.find((i: { code: string }) => i.code === 'node.invalid_data')).toMatchObject({ nodeId: 'w' })
    expect((await t.request('GET', `/api/journeys/${id}/versions`)).json.versions).toEqual([])
  })

  it('renames without touching the graph or settings', async () => {
    const t = await testApp()
    const input = loadExample('inaction', 'wh')
    const { id } = (await t.request('POST', '/api/journeys', { ...input, settings: { reentry: 'never' } })).json
    const renamed = await t.request('PUT', `/api/journeys/${id}`, { name: 'Renamed' })
    expect(renamed.json).toMatchObject({ name: 'Renamed', settings: { reentry: 'never' } })
    expect(renamed.json.graph.nodes).toHaveLength(input.graph.nodes.length)
  })

  it('keeps a journey publishable when its draft is saved while it publishes', async () => {
    // A save read the row, a publish wrote version n, the save wrote the whole row back with
    // version n - 1, and every later publish failed on the version's key (found by the fuzz test).
    const t = await testApp()
    const { id } = (await t.request('POST', '/api/journeys', loadExample('inaction', 'wh'))).json
    const rounds = 24
    const statuses: number[] = []
    for (let lag = 0; lag < rounds; lag++) {
      const publish = t.request('POST', `/api/journeys/${id}/publish`)
      // The save starts a little later each round, so it lands at every point of the publish.
      for (let i = 0; i < lag; i++) await Promise.resolve()
      const save = t.request('PUT', `/api/journeys/${id}`, { name: `Edit ${lag}` })
      for (const answer of await Promise.all([publish, save])) statuses.push(answer.status)
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    const versions = (await t.request('GET', `/api/journeys/${id}/versions`)).json.versions as { version: number }[]
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: rounds }, (_, i) => i + 1))
    expect((await t.request('GET', `/api/journeys/${id}`)).json).toMatchObject({ name: `Edit ${rounds - 1}`, status: 'live', version: rounds })
  })

  it('pauses and resumes, duplicates, lists versions and deletes', async () => {
    const t = await testApp()
    const { id } = (await t.request('POST', '/api/journeys', loadExample('inaction', 'wh'))).json
    expect((await t.request('POST', `/api/journeys/${id}/pause`)).json.error.code).toBe('journey.not_published')
    await t.request('POST', `/api/journeys/${id}/publish`)
    expect((await t.request('POST', `/api/journeys/${id}/pause`)).json.status).toBe('paused')
    expect((await t.request('POST', `/api/journeys/${id}/resume`)).json.status).toBe('live')
    await t.request('POST', '/v1/track', { userId: 'ann', event: 'App Launched' })
    await t.engine.runUntilIdle()
    const copy = await t.request('POST', `/api/journeys/${id}/duplicate`)
    expect(copy).toMatchObject({ status: 201, json: { name: 'Inaction: launched the app but did not view the notification (copy)', status: 'draft' } })
    const versions = (await t.request('GET', `/api/journeys/${id}/versions`)).json.versions
    expect(versions).toMatchObject([{ version: 1, activeUsers: 1 }])
    expect((await t.request('GET', `/api/journeys/${id}/versions/1`)).json.graph.nodes.length).toBe(5)
    const refused = await t.request('DELETE', `/api/journeys/${id}`)
    expect(refused).toMatchObject({ status: 409, json: { error: { code: 'journey.has_active_users' } } })
    expect((await t.request('DELETE', `/api/journeys/${id}?exitUsers=true`)).status).toBe(204)
    expect((await t.request('GET', `/api/journeys/${id}`)).json.error.code).toBe('journey.not_found')
    expect((await t.request('GET', '/api/journeys')).json.journeys.map((j: { id: string }) => j.id)).toEqual([copy.json.id])
  })
})

describe('bad input to the admin API', () => {
  it('answers 404 with a code for an unknown journey on every route', async () => {
    const t = await testApp()
    for (const [method, path] of [
      ['GET', '/api/journeys/nope'],
      ['PUT', '/api/journeys/nope'],
      ['DELETE', '/api/journeys/nope'],
      ['POST', '/api/journeys/nope/publish'],
      ['POST', '/api/journeys/nope/pause'],
      ['GET', '/api/journeys/nope/stats'],
      ['GET', '/api/journeys/nope/users/ann'],
    ] as const) {
      const res = await t.request(method, path, method === 'PUT' ? { name: 'x' } : undefined)
      expect([method, path, res.status, res.json.error.code]).toEqual([method, path, 404, 'journey.not_found'])
    }
    expect((await t.request('GET', '/api/nothing')).json.error.code).toBe('route.not_found')
  })

  it('refuses a journey without a name, with a wrong graph type, or with bad JSON, and stores nothing', async () => {
    const t = await testApp()
    expect((await t.request('POST', '/api/journeys', {})).json.error.code).toBe('body.invalid')
    expect((await t.request('POST', '/api/journeys', { name: 'x', graph: 'nodes' })).json.error).toMatchObject({ code: 'body.invalid', details: [{ path: 'graph' }] })
    expect((await t.request('POST', '/api/journeys', '{"name":')).json.error.code).toBe('body.invalid_json')
    expect((await t.request('POST', '/api/journeys', { name: 'x', settings: { reentry: 'sometimes' } })).status).toBe(400)
    expect((await t.request('GET', '/api/journeys')).json.journeys).toEqual([])
  })

  it('needs the admin token when one is set', async () => {
    const t = await testApp({ adminToken: 'tok_admin' })
    expect((await t.request('GET', '/api/journeys')).json.error.code).toBe('auth.missing_token')
    expect((await t.request('GET', '/api/journeys', undefined, { authorization: 'Bearer wrong' })).json.error.code).toBe('auth.invalid_token')
    expect((await t.request('POST', '/api/journeys', { name: 'x' }, { authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await t.request('GET', '/api/journeys', undefined, { authorization: 'Bearer tok_admin' })).status).toBe(200)
    expect((await t.request('GET', '/healthz')).status).toBe(200)
  })
})

describe('/openapi.json', () => {
  it('describes every route the app serves, with the request schemas the routes validate with', async () => {
    const t = await testApp()
    const doc = (await t.request('GET', '/openapi.json')).json
    expect(doc.openapi).toBe('3.1.0')
    for (const path of ['/v1/track', '/v1/batch', '/v1/identify', '/api/journeys', '/api/journeys/{id}/publish', '/api/journeys/{id}/users/{userId}', '/api/journeys/{id}/stats', '/metrics']) {
      expect(doc.paths[path], path).toBeDefined()
    }
    const track = doc.paths['/v1/track'].post.requestBody.content['application/json'].schema
    expect(track.required).toContain('event')
    expect(doc.paths['/api/journeys/{id}/publish'].post.responses['422']).toBeDefined()
  })

  it('exposes Prometheus metrics', async () => {
    const t = await testApp()
    await t.request('POST', '/v1/track', { userId: 'a', event: 'x' })
    const text = (await t.request('GET', '/metrics')).text
    expect(text).toContain('switchyard_events_accepted_total 1')
    expect(text).toMatch(/switchyard_engine_lag_events 1/)
    expect(text).toContain('# TYPE switchyard_timers_pending gauge')
  })
})

describe('pause and resume over HTTP', () => {
  const journey = journeyInput(
    'Go',
    graph([trigger('t', 'start'), waitEvent('w', 'go', seconds(2)), exit('went'), exit('late')], [edge('t', 'next', 'w'), edge('w', 'matched', 'went'), edge('w', 'timeout', 'late')]),
  )

  it('applies held events and timers that fell due in the order they happened', async () => {
    const t = await testApp()
    const { id } = (await t.request('POST', '/api/journeys', journey)).json
    await t.request('POST', `/api/journeys/${id}/publish`)
    await t.request('POST', '/v1/track', { userId: 'ann', event: 'start' })
    await t.engine.runUntilIdle()
    await t.request('POST', `/api/journeys/${id}/pause`)
    t.clock.advance(3_000)
    await t.engine.runUntilIdle()
    await t.request('POST', '/v1/track', { userId: 'ann', event: 'go' })
    await t.engine.runUntilIdle()
    expect((await t.request('POST', `/api/journeys/${id}/resume`)).status).toBe(200)
    await t.engine.runUntilIdle()
    const run = (await t.request('GET', `/api/journeys/${id}/users/ann`)).json.runs[0]
    // The wait's two seconds were over before "go" arrived.
    expect(run.history.filter((h: { outlet: string | null }) => h.outlet !== null).map((h: { kind: string; outlet: string }) => `${h.kind}>${h.outlet}`)).toEqual(['entered>next', 'timeout>timeout'])
    expect(run.status).toBe('completed')
  })

  it('holds triggers sent while paused and starts those users on resume', async () => {
    const t = await testApp()
    const { id } = (await t.request('POST', '/api/journeys', journey)).json
    await t.request('POST', `/api/journeys/${id}/publish`)
    await t.request('POST', `/api/journeys/${id}/pause`)
    await t.request('POST', '/v1/track', { userId: 'bob', event: 'start' })
    await t.engine.runUntilIdle()
    expect((await t.request('GET', `/api/journeys/${id}/users/bob`)).json.runs).toEqual([])
    await t.request('POST', `/api/journeys/${id}/resume`)
    await t.engine.runUntilIdle()
    const runs = (await t.request('GET', `/api/journeys/${id}/users/bob`)).json.runs
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ status: 'active', currentNodeId: 'w' })
    await t.request('POST', '/v1/track', { userId: 'bob', event: 'go' })
    await t.engine.runUntilIdle()
    expect((await t.request('GET', `/api/journeys/${id}/users/bob`)).json.runs[0]).toMatchObject({ status: 'completed', currentNodeId: 'went' })
    expect((await t.request('GET', `/api/journeys/${id}/stats`)).json.nodes.t.entered).toBe(1)
  })
})
