import { readdirSync, readFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadExample, WebhookSink } from '@switchyard/testkit'
import { boot } from './boot'
import { loadConfig } from './config'
import { jsonLogger } from './log'

const CANARY = 'canary-Pa55w0rd-7f3a9'
const TOKEN = 'canary-token-b81c'

describe('secret hygiene', () => {
  it('keeps webhook passwords and provider credentials out of answers, logs and the database files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-secrets-'))
    const lines: string[] = []
    const running = await boot(
      loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'switchyard.db')}`, ALLOW_PRIVATE_TARGETS: '127.0.0.0/8' }),
      jsonLogger((l) => lines.push(l)),
    )
    const sink = new WebhookSink()
    await sink.start()
    sink.respond = (_r, i) => ({ status: i === 0 ? 500 : 200 })
    const answers: string[] = []
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${running.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
      const text = await res.text()
      answers.push(text)
      return JSON.parse(text)
    }
    try {
      const hook = await call('POST', '/api/webhooks', {
        name: 'CRM',
        url: `${sink.url}/crm`,
        auth: { type: 'basic', username: 'sy', password: CANARY },
        signingSecret: `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`,
      })
      await call('POST', '/api/channels', { name: 'Gateway', channel: 'sms', kind: 'http', config: { url: `${sink.url}/sms`, body: '{}', auth: { type: 'bearer', token: TOKEN } } })
      await call('GET', '/api/webhooks')
      await call('GET', `/api/webhooks/${hook.id}`)
      await call('POST', `/api/webhooks/${hook.id}/test`)
      await call('PUT', `/api/webhooks/${hook.id}`, { name: 'CRM 2', url: `${sink.url}/crm`, auth: { type: 'basic', username: 'sy' } })
      await call('GET', '/api/channels')
      const { id } = await call('POST', '/api/journeys', loadExample('single-action', hook.id))
      await call('POST', `/api/journeys/${id}/publish`)
      await call('POST', '/v1/track', { userId: 'ann', event: 'App Launched' })
      await sink.waitFor(2)
      await call('GET', `/api/webhooks/${hook.id}/deliveries`)
      await call('GET', `/api/journeys/${id}/users/ann`)
      await call('GET', '/openapi.json')
      // The password still works after the update that left it out.
      expect(sink.received.at(-1)?.headers.authorization).toBe(`Basic ${Buffer.from(`sy:${CANARY}`).toString('base64')}`)
    } finally {
      await running.stop()
      await sink.stop()
    }
    for (const text of [...answers, ...lines]) {
      expect(text).not.toContain(CANARY)
      expect(text).not.toContain(TOKEN)
    }
    for (const file of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, file))
      expect(bytes.includes(CANARY), file).toBe(false)
      expect(bytes.includes(TOKEN), file).toBe(false)
    }
    expect(lines.length).toBeGreaterThan(0)
  })
})
