import { describe, expect, it } from 'vitest'
import { action, edge, exit, graph, journeyInput, minutes, trigger, waitActivity } from '@switchyard/testkit'
import { testApp, type TestApp } from '../test/harness'

/** A journey a user re-enters on every "Ping": each event is one run (entered, then completed). */
async function userWithRuns(t: TestApp, count: number): Promise<string> {
  const flow = graph([trigger('t', 'Ping'), exit('done')], [edge('t', 'next', 'done')])
  const { id } = (await t.request('POST', '/api/journeys', journeyInput('Pings', flow, { reentry: 'always' }))).json
  expect((await t.request('POST', `/api/journeys/${id}/publish`)).status).toBe(200)
  for (let i = 0; i < count; i++) {
    await t.request('POST', '/v1/track', { userId: 'ann', event: 'Ping', properties: { n: i } })
    await t.engine.runUntilIdle()
    t.clock.advance(1_000)
  }
  return id
}

type Page = { runs: { runId: string; startedAt: string; history: unknown[]; historyNextCursor: string | null }[]; nextCursor: string | null }

describe("a user's runs, page by page", () => {
  it('answers 20 runs, newest first, with a cursor for the older ones, until there are none', async () => {
    const t = await testApp()
    const id = await userWithRuns(t, 45)
    const seen: Page['runs'] = []
    const sizes: number[] = []
    let cursor: string | null | undefined = null
    do {
      const res = await t.request('GET', `/api/journeys/${id}/users/ann${cursor === null ? '' : `?cursor=${cursor}`}`)
      expect(res.status).toBe(200)
      const page: Page = res.json
      sizes.push(page.runs.length)
      seen.push(...page.runs)
      cursor = page.nextCursor
    } while (typeof cursor === 'string' && sizes.length < 10)
    expect(sizes).toEqual([20, 20, 5])
    expect(new Set(seen.map((r) => r.runId)).size).toBe(45)
    const starts = seen.map((r) => Date.parse(r.startedAt))
    expect(starts).toEqual([...starts].sort((a, b) => b - a))
    expect(seen.every((r) => r.history.length === 2 && r.historyNextCursor === null)).toBe(true)
    expect((await t.request('GET', `/api/journeys/${id}/users/ann?limit=7`)).json.runs).toHaveLength(7)
  })

  it("pages a run's history, and the rest comes from the run's history route", async () => {
    const t = await testApp()
    const id = await userWithRuns(t, 1)
    const [run] = (await t.request('GET', `/api/journeys/${id}/users/ann?historyLimit=1`)).json.runs
    expect(run.history.map((h: { kind: string }) => h.kind)).toEqual(['entered'])
    expect(run.historyNextCursor).toEqual(expect.any(String))
    const rest = await t.request('GET', `/api/journeys/${id}/users/ann/runs/${run.runId}/history?cursor=${run.historyNextCursor}`)
    expect(rest).toMatchObject({ status: 200, json: { nextCursor: null } })
    expect(rest.json.history.map((h: { kind: string }) => h.kind)).toEqual(['completed'])
    expect((await t.request('GET', `/api/journeys/${id}/users/bob/runs/${run.runId}/history`)).json.error.code).toBe('run.not_found')
  })

  it('answers a sent message with its rendered fields, which the run\'s history row leaves to the message row', async () => {
    const t = await testApp()
    const flow = graph(
      [trigger('t', 'Signed Up'), action('send', 'email', { subject: 'Hi {{ user.traits.name }}', body: 'Welcome, {{ user.traits.name }}.' }), waitActivity('w', 'opened', minutes(30)), exit('opened'), exit('silent')],
      [edge('t', 'next', 'send'), edge('send', 'next', 'w'), edge('w', 'matched', 'opened'), edge('w', 'timeout', 'silent')],
    )
    const { id } = (await t.request('POST', '/api/journeys', journeyInput('Welcome', flow))).json
    expect((await t.request('POST', `/api/journeys/${id}/publish`)).status).toBe(200)
    await t.request('POST', '/v1/identify', { userId: 'ann', traits: { name: 'Ann', email: 'ann@example.com' } })
    await t.request('POST', '/v1/track', { userId: 'ann', event: 'Signed Up' })
    await t.dispatch()
    const isSent = (h: { kind: string; detail: { status?: string } | null }) => h.kind === 'message' && h.detail?.status === 'sent'
    const rendered = { channel: 'email', to: 'ann@example.com', fields: { subject: 'Hi Ann', body: 'Welcome, Ann.' } }
    // Stored once: the history row keeps the recipient only.
    const [stored] = await t.engine.userRuns(id, 'ann')
    expect(stored?.history.find(isSent)?.detail?.rendered).toEqual({ channel: 'email', to: 'ann@example.com' })
    // Both ways of reading the run answer it whole.
    const [run] = (await t.request('GET', `/api/journeys/${id}/users/ann`)).json.runs
    expect(run.history.find(isSent).detail.rendered).toEqual(rendered)
    const page = await t.request('GET', `/api/journeys/${id}/users/ann/runs/${run.runId}/history`)
    expect(page.json.history.find(isSent).detail.rendered).toEqual(rendered)
  })

  it('says what is wrong with a cursor or a limit it cannot use', async () => {
    const t = await testApp()
    const id = await userWithRuns(t, 1)
    expect((await t.request('GET', `/api/journeys/${id}/users/ann?cursor=bm9wZQ`)).json.error.code).toBe('query.invalid_cursor')
    expect((await t.request('GET', `/api/journeys/${id}/users/ann?limit=0`)).json.error.code).toBe('query.invalid')
    expect((await t.request('GET', `/api/journeys/${id}/users/ann?limit=101`)).status).toBe(400)
  })
})

describe("a user's profile", () => {
  it('answers the traits identify calls left, merged, and 404 for a user never identified', async () => {
    const t = await testApp()
    await t.request('POST', '/v1/identify', { userId: 'ben', traits: { FIRSTNAME: 'Ben', city: 'Pune' } })
    await t.request('POST', '/v1/identify', { userId: 'ben', traits: { city: 'Goa' } })
    await t.engine.runUntilIdle()
    expect((await t.request('GET', '/api/users/ben')).json).toEqual({ userId: 'ben', traits: { FIRSTNAME: 'Ben', city: 'Goa' } })
    const missing = await t.request('GET', '/api/users/nobody')
    expect([missing.status, missing.json.error.code]).toEqual([404, 'user.not_found'])
  })
})
