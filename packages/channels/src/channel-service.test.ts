import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { CHANNELS, CHANNEL_STATUSES } from '@switchyard/schema'
import { activityToTrack } from './activity/activity'
import { createChannelService } from './channel-service'
import { SANDBOX_PROVIDER_ID } from './send'
import { migrateChannels } from './store/migrations'
import type { StoreBackend } from '@switchyard/storage'
import { eachBackend, fixedClock, makeJob, memoryBackend, memoryDb, SAMPLE_MESSAGES, testBox } from './test-support'

const T0 = Date.parse('2026-01-05T10:00:00Z')

async function fresh(backend: StoreBackend = memoryBackend()) {
  const clock = fixedClock(T0)
  const logs: string[] = []
  const svc = await createChannelService({ backend, secretBox: testBox, clock, log: (level, message, fields) => logs.push(JSON.stringify({ level, message, fields })) })
  return { svc, clock, logs }
}

const sandboxInput = (channel: string, extra: Record<string, unknown> = {}) => ({ name: `${channel} sandbox`, channel, kind: 'sandbox', config: {}, ...extra })

describe('providers', () => {
  it('refuses an invalid provider with provider.invalid and the issues', async () => {
    const { svc } = await fresh()
    const r = await svc.providers.create({ name: '', channel: 'fax', kind: 'smtp', config: {} })
    expect(r).toMatchObject({ ok: false, code: 'provider.invalid' })
    const smtpForSms = await svc.providers.create({ name: 'x', channel: 'sms', kind: 'smtp', config: { host: 'h', from: 'a@b.c' } })
    expect(smtpForSms).toMatchObject({ ok: false, code: 'provider.invalid', details: { issues: [{ path: 'kind', message: 'An SMTP provider can only send email.' }] } })
    const noPass = await svc.providers.create({ name: 'x', channel: 'email', kind: 'smtp', config: { host: 'h', from: 'a@b.c', auth: { user: 'u' } } })
    expect(noPass).toMatchObject({ ok: false, code: 'provider.invalid', message: 'SMTP auth needs a password.' })
  })

  it('answers provider.not_found for an unknown id', async () => {
    const { svc } = await fresh()
    expect(await svc.providers.get('nope')).toMatchObject({ ok: false, code: 'provider.not_found' })
    expect(await svc.providers.update('nope', sandboxInput('sms'))).toMatchObject({ ok: false, code: 'provider.not_found' })
    expect(await svc.providers.remove('nope')).toMatchObject({ ok: false, code: 'provider.not_found' })
  })

  it('makes the first provider of a channel its default and keeps exactly one default', async () => {
    const { svc, clock } = await fresh()
    const a = await svc.providers.create(sandboxInput('sms'))
    clock.advance(1)
    const b = await svc.providers.create(sandboxInput('sms'))
    if (!a.ok || !b.ok) throw new Error('create failed')
    expect(a.value.default).toBe(true)
    expect(b.value.default).toBe(false)
    await svc.providers.update(b.value.id, sandboxInput('sms', { default: true }))
    expect((await svc.providers.list()).map((p) => [p.id, p.default])).toEqual([
      [a.value.id, false],
      [b.value.id, true],
    ])
    await svc.providers.remove(b.value.id)
    expect(await svc.providers.get(a.value.id)).toMatchObject({ ok: true, value: { default: true } })
  })

  it('keeps stored secrets when an update leaves them out', async () => {
    const { svc } = await fresh()
    const created = await svc.providers.create({
      name: 'GW',
      channel: 'sms',
      kind: 'http',
      receiptSecret: 'rs',
      config: { url: 'http://127.0.0.1:1/x', body: '{}', auth: { type: 'bearer', token: 'tkn' }, headers: { 'X-Key': 'k' } },
    })
    if (!created.ok) throw new Error('create failed')
    const updated = await svc.providers.update(created.value.id, {
      name: 'GW renamed',
      channel: 'sms',
      kind: 'http',
      config: { url: 'http://127.0.0.1:1/y', body: '{}', auth: { type: 'bearer' } },
    })
    expect(updated).toMatchObject({
      ok: true,
      value: { name: 'GW renamed', hasReceiptSecret: true, config: { url: 'http://127.0.0.1:1/y', auth: { type: 'bearer', hasToken: true }, headerNames: ['X-Key'] } },
    })
    const cleared = await svc.providers.update(created.value.id, { name: 'GW', channel: 'sms', kind: 'http', receiptSecret: null, config: { url: 'http://127.0.0.1:1/y', body: '{}', headers: {} } })
    expect(cleared).toMatchObject({ ok: true, value: { hasReceiptSecret: false, config: { auth: null, headerNames: [] } } })
  })
})

eachBackend('channel-sending', (backend) => {
  describe('sending', () => {
    it('sends every channel through the built-in sandbox when the channel has no provider, and records it', async () => {
      const { svc } = await fresh(await backend())
      for (const channel of CHANNELS) {
        const job = makeJob(channel, SAMPLE_MESSAGES[channel])
        const r = await svc.send(job)
        expect(r).toMatchObject({ ok: true, providerId: SANDBOX_PROVIDER_ID, providerMessageId: `sandbox_${job.id}` })
        const stored = await svc.messages.get(job.id)
        expect(stored).toMatchObject({ channel, userId: 'u1', runId: job.context.runId, journeyId: 'j1', nodeId: 'a1', status: 'sent', sentAt: T0, attempts: 1 })
        expect(JSON.stringify(stored?.content)).toContain('SKU-42')
      }
      expect(await svc.messages.list({ userId: 'u1' })).toHaveLength(CHANNELS.length)
    })

    it('sends a mixed batch in one call: each job its own outcome, in order, recorded once; a job already sent is not sent again', async () => {
      const { svc, logs } = await fresh(await backend())
      const already = makeJob('email', SAMPLE_MESSAGES.email)
      await svc.send(already)
      const good = makeJob('sms', SAMPLE_MESSAGES.sms)
      const broken = makeJob('email', { subject: '{{ nope', body: 'x' })
      const noProvider = makeJob('sms', SAMPLE_MESSAGES.sms, { providerId: 'prv_gone' })
      const second = makeJob('sms', SAMPLE_MESSAGES.sms, { userId: 'u2' })
      const outs = await svc.sendAll([good, broken, already, noProvider, second])
      expect(outs.map((o) => (o.ok ? ['sent', o.providerMessageId] : ['failed', o.reason, o.retryable, o.attempts]))).toEqual([
        ['sent', `sandbox_${good.id}`],
        ['failed', expect.stringContaining('subject'), false, 1],
        ['sent', `sandbox_${already.id}`],
        ['failed', 'provider prv_gone does not exist', false, 1],
        ['sent', `sandbox_${second.id}`],
      ])
      const stored = await svc.messages.getMany([good.id, broken.id, already.id, noProvider.id, second.id])
      expect([good, broken, already, noProvider, second].map((j) => [stored.get(j.id)?.status, stored.get(j.id)?.attempts])).toEqual([
        ['sent', 1],
        ['failed', 1],
        ['sent', 1],
        ['failed', 1],
        ['sent', 1],
      ])
      expect(logs.filter((l) => l.includes('"message failed"'))).toHaveLength(2)
      expect(await svc.sendAll([])).toEqual([])
    })

    it('lets a tester emit every status of the channel table for a sandbox message', async () => {
      const { svc } = await fresh(await backend())
      for (const channel of CHANNELS) {
        const job = makeJob(channel, SAMPLE_MESSAGES[channel])
        await svc.send(job)
        for (const status of CHANNEL_STATUSES[channel]) {
          const a = await svc.sandbox.emit(job.id, status)
          expect(a).toEqual({
            ok: true,
            value: { userId: 'u1', channel, status, messageId: job.id, timestamp: T0, eventId: `${job.id}:${status}`, providerMessageId: `sandbox_${job.id}`, detail: { provider: 'sandbox' } },
          })
          if (a.ok) expect(activityToTrack(a.value)).toMatchObject({ event: `${channel}.${status}`, userId: 'u1', properties: { messageId: job.id } })
        }
        expect((await svc.messages.get(job.id))?.lastActivity).toBe(CHANNEL_STATUSES[channel].at(-1))
      }
    })

    it('refuses to emit a status the channel does not report, or for an unknown message', async () => {
      const { svc } = await fresh(await backend())
      const job = makeJob('sms', SAMPLE_MESSAGES.sms)
      await svc.send(job)
      expect(await svc.sandbox.emit(job.id, 'opened')).toMatchObject({ ok: false, code: 'activity.invalid' })
      expect(await svc.sandbox.emit(job.id, 'sent')).toMatchObject({ ok: false, code: 'activity.invalid' })
      expect(await svc.sandbox.emit('missing', 'delivered')).toMatchObject({ ok: false, code: 'message.not_found' })
    })

    it("uses the job's provider over the channel default", async () => {
      const { svc } = await fresh(await backend())
      const a = await svc.providers.create(sandboxInput('email'))
      const b = await svc.providers.create(sandboxInput('email'))
      if (!a.ok || !b.ok) throw new Error('create failed')
      expect(await svc.send(makeJob('email', SAMPLE_MESSAGES.email))).toMatchObject({ ok: true, providerId: a.value.id })
      expect(await svc.send(makeJob('email', SAMPLE_MESSAGES.email, { providerId: b.value.id }))).toMatchObject({ ok: true, providerId: b.value.id })
    })

    it('fails for good, and records it, when the provider is missing or on another channel', async () => {
      const { svc } = await fresh(await backend())
      const sms = await svc.providers.create(sandboxInput('sms'))
      if (!sms.ok) throw new Error('create failed')
      const missing = makeJob('email', SAMPLE_MESSAGES.email, { providerId: 'prv_gone' })
      expect(await svc.send(missing)).toMatchObject({ ok: false, retryable: false, reason: 'provider prv_gone does not exist' })
      expect(await svc.messages.get(missing.id)).toMatchObject({ status: 'failed', error: 'provider prv_gone does not exist' })
      const wrong = makeJob('email', SAMPLE_MESSAGES.email, { providerId: sms.value.id })
      expect(await svc.send(wrong)).toMatchObject({ ok: false, retryable: false, reason: 'provider "sms sandbox" sends sms, not email' })
    })

    it('fails for good with the reason when the message does not render', async () => {
      const { svc } = await fresh(await backend())
      const job = makeJob('email', { subject: '{{ nope', body: 'x' })
      const r = await svc.send(job)
      expect(r).toMatchObject({ ok: false, retryable: false })
      expect(await svc.messages.get(job.id)).toMatchObject({ status: 'failed', content: null })
    })

    it('does not send a message twice when the outbox retries it after success', async () => {
      const hits: string[] = []
      const svc2 = await createChannelService({
        backend: await backend(),
        secretBox: testBox,
        clock: fixedClock(T0),
        fetch: async (url) => {
          hits.push(url)
          return new Response('{"sid":"SM1"}', { status: 201 })
        },
      })
      await svc2.providers.create({ name: 'H', channel: 'sms', kind: 'http', config: { url: 'https://gw.example.test/send', body: '{}', messageIdPath: 'sid' } })
      const job = makeJob('sms', SAMPLE_MESSAGES.sms)
      const first = await svc2.send(job)
      const again = await svc2.send(job)
      expect(first).toMatchObject({ ok: true, providerMessageId: 'SM1' })
      expect(again).toEqual(first)
      expect(hits).toHaveLength(1)
      expect(await svc2.messages.get(job.id)).toMatchObject({ status: 'sent', attempts: 1 })
    })

    it('retries a failed message under the same id and counts the attempts', async () => {
      let status = 503
      const svc = await createChannelService({
        backend: await backend(),
        secretBox: testBox,
        clock: fixedClock(T0),
        fetch: async () => new Response(status === 201 ? '{"sid":"SM9"}' : 'down', { status }),
      })
      await svc.providers.create({ name: 'H', channel: 'sms', kind: 'http', config: { url: 'https://gw.example.test/send', body: '{}', messageIdPath: 'sid' } })
      const job = makeJob('sms', SAMPLE_MESSAGES.sms)
      expect(await svc.send(job)).toMatchObject({ ok: false, retryable: true, reason: 'HTTP 503: down' })
      status = 201
      expect(await svc.send(job)).toMatchObject({ ok: true, providerMessageId: 'SM9' })
      expect(await svc.messages.get(job.id)).toMatchObject({ status: 'sent', attempts: 2, error: null })
    })

    it('tests a provider with a sample message and reports a failing one as a value', async () => {
      const svc = await createChannelService({ backend: await backend(), secretBox: testBox, clock: fixedClock(T0), fetch: async () => new Response('nope', { status: 401 }) })
      expect(await svc.test(SANDBOX_PROVIDER_ID, 'a@b.test')).toMatchObject({ ok: true, value: { ok: true, providerMessageId: expect.stringMatching(/^sandbox_test_/) } })
      const p = await svc.providers.create({ name: 'H', channel: 'sms', kind: 'http', config: { url: 'https://gw.example.test/send', body: '{"to":{{ to | json }}}' } })
      if (!p.ok) throw new Error('create failed')
      expect(await svc.test(p.value.id, '+15550009')).toMatchObject({ ok: true, value: { ok: false, reason: 'HTTP 401: nope' } })
      expect(await svc.test('prv_missing', 'x')).toMatchObject({ ok: false, code: 'provider.not_found' })
      expect(await svc.messages.list()).toEqual([])
    })

    it('gives the sent timestamps a frequency cap needs', async () => {
      const { svc, clock } = await fresh(await backend())
      await svc.send(makeJob('email', SAMPLE_MESSAGES.email))
      clock.advance(60_000)
      await svc.send(makeJob('email', SAMPLE_MESSAGES.email))
      await svc.send(makeJob('sms', SAMPLE_MESSAGES.sms))
      expect(await svc.messages.sentTimestamps('u1', 'email', T0)).toEqual([T0 + 60_000, T0])
      expect(await svc.messages.sentTimestamps('u1', 'email', T0 + 1)).toEqual([T0 + 60_000])
    })
  })
})

describe('secrets', () => {
  it('never shows a canary secret in views, logs or the SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-channels-'))
    const file = join(dir, 'switchyard.db')
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    const logs: string[] = []
    const canary = 'CANARY-7f3a9e'
    const svc = await createChannelService({ backend: { kind: 'sqlite', db }, secretBox: testBox, clock: fixedClock(T0), log: (l, m, f) => logs.push(JSON.stringify([l, m, f])), fetch: async () => new Response('{}') })
    const smtp = await svc.providers.create({ name: 'SMTP', channel: 'email', kind: 'smtp', receiptSecret: `${canary}-r`, config: { host: '127.0.0.1', port: 1, from: 'a@b.test', auth: { user: 'u', pass: `${canary}-p` } } })
    const http = await svc.providers.create({
      name: 'HTTP',
      channel: 'sms',
      kind: 'http',
      config: { url: 'https://gw.example.test/send', body: '{}', auth: { type: 'basic', username: 'u', password: `${canary}-b` }, headers: { 'X-Api-Key': `${canary}-h` } },
    })
    const bearer = await svc.providers.create({ name: 'Push', channel: 'app_push', kind: 'http', config: { url: 'https://gw.example.test/push', body: '{}', auth: { type: 'bearer', token: `${canary}-t` } } })
    expect([smtp.ok, http.ok, bearer.ok]).toEqual([true, true, true])
    await svc.send(makeJob('sms', SAMPLE_MESSAGES.sms))
    await svc.send(makeJob('email', SAMPLE_MESSAGES.email))
    const views = JSON.stringify([await svc.providers.list(), smtp, http, bearer])
    expect(views).not.toContain(canary)
    expect(views).toContain('"hasPassword":true')
    expect(views).toContain('"hasToken":true')
    expect(logs.join('\n')).not.toContain(canary)
    db.pragma('wal_checkpoint(TRUNCATE)')
    for (const name of readdirSync(dir)) expect(readFileSync(join(dir, name)).includes(canary)).toBe(false)
    db.close()
  })
})

describe('migrations', () => {
  it('applies once, records itself in the shared migrations table, and reopens cleanly', async () => {
    const db = memoryDb()
    expect(migrateChannels(db, T0)).toEqual([1, 2])
    expect(migrateChannels(db, T0)).toEqual([])
    expect(db.prepare("SELECT component, version, applied_at FROM migrations WHERE component = 'channels'").all()).toEqual([
      { component: 'channels', version: 1, applied_at: T0 },
      { component: 'channels', version: 2, applied_at: T0 },
    ])
    await createChannelService({ backend: { kind: 'sqlite', db }, secretBox: testBox, clock: fixedClock(T0) })
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'channel_%' ORDER BY name").pluck().all()
    expect(tables).toEqual(['channel_messages', 'channel_providers'])
  })
})

describe('versioned records', () => {
  it('reads provider configs, sealed secrets and message content stored before versioning as v1', async () => {
    const db = memoryDb()
    const svc = await createChannelService({ backend: { kind: 'sqlite', db }, secretBox: testBox, clock: fixedClock(T0) })
    db.prepare(
      `INSERT INTO channel_providers (id, name, channel, kind, is_default, config, secrets, created_at, updated_at)
       VALUES ('prv_old', 'Old SMTP', 'email', 'smtp', 1, ?, ?, ?, ?)`,
    ).run('{"host":"smtp.example.test","port":2525,"secure":false,"from":"a@b.test","auth":{"user":"u"}}', testBox.seal('{"smtpPass":"pw","receiptSecret":"rs"}'), T0, T0)
    expect(await svc.providers.get('prv_old')).toMatchObject({
      ok: true,
      value: { kind: 'smtp', config: { host: 'smtp.example.test', port: 2525, auth: { user: 'u', hasPassword: true } }, hasReceiptSecret: true },
    })

    const sent = await svc.send(makeJob('sms', SAMPLE_MESSAGES.sms))
    expect(sent.ok).toBe(true)
    const [message] = await svc.messages.list({ channel: 'sms' })
    if (!message) throw new Error('no message recorded')
    db.exec(`UPDATE channel_messages SET content = json_extract(content, '$.value')`)
    expect(db.prepare('SELECT content FROM channel_messages').pluck().get()).not.toContain('$v')
    expect(await svc.messages.get(message.id)).toEqual(message)
  })

  it('refuses a provider config from a newer version with an error naming it', async () => {
    const db = memoryDb()
    const svc = await createChannelService({ backend: { kind: 'sqlite', db }, secretBox: testBox, clock: fixedClock(T0) })
    const created = await svc.providers.create(sandboxInput('sms'))
    if (!created.ok) throw new Error(created.message)
    db.exec(`UPDATE channel_providers SET config = '{"$v":2,"value":{}}'`)
    await expect(svc.providers.get(created.value.id)).rejects.toThrow('cannot read stored sandbox provider config v2: newer than this build reads (v1)')
  })
})
