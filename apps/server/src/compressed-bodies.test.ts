import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import Analytics from '@rudderstack/rudder-sdk-node'
import { describe, expect, it } from 'vitest'
import { loadExample, WebhookSink } from '@switchyard/testkit'
import { testApp } from '../test/harness'
import { http, liveServers, until } from '../test/live'

const json = (value: unknown) => Buffer.from(JSON.stringify(value))

async function post(path: string, body: Buffer, headers: Record<string, string>) {
  const t = await testApp()
  return { t, ...(await t.request('POST', path, body, headers)) }
}

describe('compressed request bodies on /v1', () => {
  const batch = { batch: [{ type: 'identify', userId: 'ann', traits: { plan: 'pro' } }, { type: 'track', userId: 'ann', event: 'Charged' }] }

  it('takes gzip and deflate (zlib or raw), whatever the Content-Type says', async () => {
    for (const [encoding, body] of [['gzip', gzipSync(json(batch))], ['deflate', deflateSync(json(batch))], ['deflate', deflateRawSync(json(batch))]] as const) {
      const { t, status, json: answer } = await post('/v1/batch', body, { 'content-encoding': encoding, 'content-type': 'application/x-www-form-urlencoded' })
      expect([encoding, status, answer]).toEqual([encoding, 200, { success: true }])
      expect((await t.engine.lag()).journalHead).toBe(2)
    }
  })

  it('applies the limits to the decompressed body, and cuts a compression bomb off at the limit', async () => {
    // 64 MB of zeros gzip to about 64 KB; zlib stops once the output passes 500 KB.
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"batch":[{"type":"track","userId":"a","event":"x","properties":{"pad":"'), Buffer.alloc(64 * 1024 * 1024, 48), Buffer.from('"}}]}')]))
    const refused = await post('/v1/batch', bomb, { 'content-encoding': 'gzip' })
    expect(refused).toMatchObject({ status: 400, json: { error: { code: 'payload.too_large' } } })
    expect(refused.json.error.message).toContain('after decompression')
    expect((await refused.t.engine.lag()).journalHead).toBe(0)
    // Small compressed, but one item is over 32 KB once inflated.
    const oneBig = gzipSync(json({ batch: [{ type: 'track', userId: 'a', event: 'x', properties: { blob: 'x'.repeat(33 * 1024) } }] }))
    expect((await post('/v1/batch', oneBig, { 'content-encoding': 'gzip' })).json.error.code).toBe('payload.too_large')
    const track = gzipSync(json({ userId: 'a', event: 'x', properties: { blob: 'x'.repeat(33 * 1024) } }))
    expect((await post('/v1/track', track, { 'content-encoding': 'gzip' })).json.error).toMatchObject({ code: 'payload.too_large', message: expect.stringContaining('32 KB per event') })
  })

  it('says what is wrong with a body that does not decompress, or an encoding it does not know', async () => {
    expect(await post('/v1/batch', json(batch), { 'content-encoding': 'gzip' })).toMatchObject({ status: 400, json: { error: { code: 'body.invalid_encoding' } } })
    expect(await post('/v1/track', Buffer.from('not brotli'), { 'content-encoding': 'br' })).toMatchObject({ status: 415, json: { error: { code: 'body.unsupported_encoding' } } })
  })
})

describe("RudderStack's Node SDK", () => {
  const servers = liveServers()

  it('sends gzipped batches that start a journey', async () => {
    const { url } = await servers.start({ WRITE_KEY: 'wk_rudder' })
    const sink = new WebhookSink()
    servers.onCleanup(() => sink.stop())
    const hook = (await http(url, 'POST', '/api/webhooks', { name: 'CRM', url: `${await sink.start()}/hook` })).json
    const { id } = (await http(url, 'POST', '/api/journeys', loadExample('actions-with-user-properties', hook.id))).json
    await http(url, 'POST', `/api/journeys/${id}/publish`)
    const errors: unknown[] = []
    const analytics = new Analytics('wk_rudder', { dataPlaneUrl: url, flushAt: 2, retryCount: 0, logLevel: 'error', errorHandler: (e) => errors.push(e) })
    analytics.identify({ userId: 'ann', traits: { country: 'Canada', email: 'ann@example.com' } })
    analytics.track({ userId: 'ann', event: 'Charged', properties: { amount: 42 } })
    const flushed = await new Promise<unknown>((resolve) => void analytics.flush((error) => resolve(error ?? null)))
    expect([flushed, errors]).toEqual([null, []])
    const runs = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/ann`),
      (r) => r.json.runs?.[0]?.status === 'completed',
    )
    expect(runs.json.runs[0].history[0].detail).toEqual({ event: 'Charged', properties: { amount: 42 } })
  })
})
