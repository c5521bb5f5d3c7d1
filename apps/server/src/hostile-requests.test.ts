import { mkdtempSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { until } from '../test/live'
import { testApp } from '../test/harness'
import { boot, type Running } from './boot'
import { loadConfig } from './config'
import type { Logger } from './log'

function recordingLogger(): Logger & { lines: { level: string; msg: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = []
  const at = (level: string) => (msg: string, fields: Record<string, unknown> = {}) => void lines.push({ level, msg, fields })
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

describe('paths with malformed %-escapes', () => {
  for (const path of ['/%', '/openapi.json/%E0%A4%A', '/metrics/%ff%fe', '/v1/track/%']) {
    it(`answer 400 request.bad_path for ${path}, and log no error`, async () => {
      const log = recordingLogger()
      const t = await testApp({ log })
      const res = await t.request('GET', path)
      expect(res).toMatchObject({ status: 400, json: { error: { code: 'request.bad_path' } } })
      expect(res.json.error.message).toContain('%25')
      expect(log.lines.filter((l) => l.level === 'error')).toEqual([])
    })
  }

  it('still serve paths whose escapes decode', async () => {
    const t = await testApp()
    expect((await t.request('GET', '/api/journeys/%C3%A9t%C3%A9')).json.error.code).toBe('journey.not_found')
  })
})

describe('a client that closes the connection mid-body', () => {
  let running: Running | null = null
  afterEach(async () => {
    await running?.stop()
    running = null
  })

  for (const framing of ['Content-Length: 1000', 'Transfer-Encoding: chunked']) {
    it(`is a quiet, expected event (${framing.split(':')[0]})`, async () => {
      const log = recordingLogger()
      const dir = mkdtempSync(join(tmpdir(), 'sy-abort-'))
      running = await boot(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'switchyard.db')}` }), log)
      const socket = connect(Number(new URL(running.url).port), '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      const part = framing.startsWith('Transfer') ? '10\r\n{"userId":"ann",\r\n' : '{"userId":"ann",'
      // The headers and part of the body arrive; once the server reads the body, the client goes.
      socket.write(`POST /v1/track HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${framing}\r\n\r\n${part}`, () => socket.destroy())
      const seen = await until(() => log.lines.filter((l) => l.msg !== 'switchyard started'), (l) => l.length > 0)
      expect(seen).toEqual([{ level: 'info', msg: 'client aborted the request', fields: { path: '/v1/track', method: 'POST' } }])
      expect((await running.engine.lag()).journalHead).toBe(0)
    })
  }
})
