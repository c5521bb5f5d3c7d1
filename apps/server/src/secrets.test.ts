import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadExample, WebhookSink } from '@switchyard/testkit'
import { boot } from './boot'
import { loadConfig } from './config'
import { jsonLogger } from './log'

const CANARY = 'canary-Pa55w0rd-7f3a9'
const TOKEN = 'canary-token-b81c'

/** A real server on a fresh data folder, a receiver, and every answer and log line kept for checking. */
async function hygieneRun() {
  const dir = mkdtempSync(join(tmpdir(), 'sy-secrets-'))
  const lines: string[] = []
  const running = await boot(
    loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'switchyard.db')}`, ALLOW_PRIVATE_TARGETS: '127.0.0.0/8' }),
    jsonLogger((l) => lines.push(l)),
  )
  const sink = new WebhookSink()
  await sink.start()
  const answers: string[] = []
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${running.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await res.text()
    answers.push(text)
    return { status: res.status, json: JSON.parse(text) }
  }
  return {
    dir,
    sink,
    call,
    async stop() {
      await running.stop()
      await sink.stop()
    },
    /** After stop: none of the secrets in an answer, a log line or any file of the data folder. */
    expectNowhere(secrets: readonly string[]) {
      for (const text of [...answers, ...lines]) for (const secret of secrets) expect(text).not.toContain(secret)
      for (const file of readdirSync(dir)) {
        const bytes = readFileSync(join(dir, file))
        for (const secret of secrets) expect(bytes.includes(secret), file).toBe(false)
      }
      expect(lines.length).toBeGreaterThan(0)
    },
  }
}

describe('secret hygiene', () => {
  it('keeps webhook passwords and provider credentials out of answers, logs and the database files', async () => {
    const run = await hygieneRun()
    const { sink } = run
    sink.respond = (_r, i) => ({ status: i === 0 ? 500 : 200 })
    const call = async (method: string, path: string, body?: unknown) => (await run.call(method, path, body)).json
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
      await run.stop()
    }
    run.expectNowhere([CANARY, TOKEN])
  })
})

describe('webhook header and query values over the API', () => {
  it('are masked in every answer, kept when the mask comes back, and absent from the database files, which only the owner can read', async () => {
    const HEADER = 'hdr-canary-31c9aa'
    const QUERY = 'qry-canary-e04d17'
    const run = await hygieneRun()
    const { sink, call, dir } = run
    try {
      const created = await call('POST', '/api/webhooks', { name: 'CRM', url: `${sink.url}/crm`, headers: { 'X-Api-Key': HEADER }, query: { token: QUERY } })
      expect(created).toMatchObject({ status: 201, json: { headers: { 'X-Api-Key': '********' }, query: { token: '********' }, testStatus: 'untested' } })
      const id: string = created.json.id
      expect((await call('POST', `/api/webhooks/${id}/test`)).json).toMatchObject({ ok: true })
      expect((await call('GET', `/api/webhooks/${id}`)).json.testStatus).toBe('passing')
      // Sending back what GET showed keeps the values, and the last test still holds.
      const same = await call('PUT', `/api/webhooks/${id}`, { ...created.json, name: 'CRM 2' })
      expect(same).toMatchObject({ status: 200, json: { name: 'CRM 2', testStatus: 'passing', headers: { 'X-Api-Key': '********' } } })
      expect((await call('GET', '/api/webhooks')).json.webhooks[0].query).toEqual({ token: '********' })
      await call('POST', `/api/webhooks/${id}/preview`, {})
      await call('POST', `/api/webhooks/${id}/test`)
      expect(sink.received.at(-1)?.headers['x-api-key']).toBe(HEADER)
      expect(sink.received.at(-1)?.path).toBe(`/crm?token=${QUERY}`)
      // A new URL makes the old test meaningless.
      const moved = await call('PUT', `/api/webhooks/${id}`, { name: 'CRM 2', url: `${sink.url}/crm2`, headers: { 'X-Api-Key': '********' }, query: { token: '********' } })
      expect(moved.json).toMatchObject({ testStatus: 'untested', lastTestedAt: null })
      const unknown = await call('PUT', `/api/webhooks/${id}`, { name: 'CRM 2', url: `${sink.url}/crm2`, headers: { 'X-Other': '********' } })
      expect(unknown).toMatchObject({ status: 400, json: { error: { code: 'webhook.invalid', message: expect.stringContaining('X-Other') } } })
    } finally {
      await run.stop()
    }
    run.expectNowhere([HEADER, QUERY])
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['switchyard.db', 'secret.key']))
    for (const file of readdirSync(dir)) expect((statSync(join(dir, file)).mode & 0o777).toString(8), file).toBe('600')
  })
})
