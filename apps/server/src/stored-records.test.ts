import { describe, expect, it } from 'vitest'
import { edge, exit, graph, journeyInput, trigger } from '@switchyard/testkit'
import type { Logger } from './log'
import { testApp } from '../test/harness'

describe('a stored row the build cannot read', () => {
  it('answers a plain 500 and logs which record and version it was, never the stack to the caller', async () => {
    const lines: string[] = []
    const log: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (msg, fields) => lines.push(`${msg} ${JSON.stringify(fields)}`) }
    const t = await testApp({ log })
    const flow = graph([trigger('t', 'Ping'), exit('done')], [edge('t', 'next', 'done')])
    const { id } = (await t.request('POST', '/api/journeys', journeyInput('Pings', flow))).json
    expect((await t.request('POST', `/api/journeys/${id}/publish`)).status).toBe(200)
    await t.request('POST', '/v1/track', { userId: 'ann', event: 'Ping' })
    await t.engine.runUntilIdle()
    expect((await t.request('GET', `/api/journeys/${id}/users/ann`)).status).toBe(200)

    await t.exec(`UPDATE runs SET context = '{"$v":99,"value":{}}'`)
    const res = await t.request('GET', `/api/journeys/${id}/users/ann`)
    expect(res.status).toBe(500)
    expect(res.json).toMatchObject({ error: { code: 'internal' } })
    expect(res.text).not.toContain('run context')
    expect(res.text).not.toContain('.ts:')
    expect(lines.join('\n')).toContain('cannot read stored run context v99: newer than this build reads (v2)')
  })
})
