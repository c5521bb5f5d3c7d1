import { describe, expect, it } from 'vitest'
import { action, edge, exit, graph, journeyInput, trigger } from '@switchyard/testkit'
import { testApp } from '../test/harness'
import { ConfigError, loadConfig } from './config'
import { jsonLogger, type LogLevel } from './log'

interface Line {
  level: string
  msg: string
  [field: string]: unknown
}

/** Three users enter an email journey (sandbox provider); the outbox is drained once. */
async function sendThree(level: LogLevel): Promise<Line[]> {
  const lines: Line[] = []
  const t = await testApp({ withWebhooks: true, log: jsonLogger((l) => lines.push(JSON.parse(l)), level) })
  const flow = graph([trigger('t', 'Signed Up'), action('m', 'email', { subject: 'Hi', body: 'Welcome.' }), exit('x')], [edge('t', 'next', 'm'), edge('m', 'next', 'x')])
  const { json } = await t.request('POST', '/api/journeys', journeyInput('Welcome', flow))
  expect((await t.request('POST', `/api/journeys/${json.id}/publish`)).status).toBe(200)
  const batch = ['ann', 'bob', 'cy'].flatMap((userId) => [
    { type: 'identify', userId, traits: { email: `${userId}@example.com` } },
    { type: 'track', userId, event: 'Signed Up' },
  ])
  expect((await t.request('POST', '/v1/batch', { batch })).status).toBe(200)
  await t.dispatch()
  return lines
}

describe('send logs', () => {
  it('write one info line per batch of sends, none per message', async () => {
    const lines = await sendThree('info')
    expect(lines.filter((l) => l.msg === 'outbox batch handled')).toEqual([expect.objectContaining({ level: 'info', kind: 'message', claimed: 3, done: 3, deferred: 0, failed: 0, durationMs: expect.any(Number) })])
    expect(lines.filter((l) => l.msg === 'message sent')).toEqual([])
  })

  it('write each message sent at LOG_LEVEL=debug', async () => {
    const lines = await sendThree('debug')
    expect(lines.filter((l) => l.msg === 'message sent').map((l) => l.level)).toEqual(['debug', 'debug', 'debug'])
  })

  it('read LOG_LEVEL, info unless told, and refuse a level that does not exist', () => {
    expect(loadConfig({}).logLevel).toBe('info')
    expect(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug')
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(ConfigError)
  })
})
