import { describe, expect, it } from 'vitest'
import { WebhookSink } from '@switchyard/testkit'
import { http, liveServers } from '../test/live'

const servers = liveServers()

/** Work that liquidjs's render limit cannot see: it all happens inside one filter call. */
/** Within this, every hostile render of the test below has its answer (see the comment there). */
const RENDERS_DONE_MS = 5000

const HOSTILE = [
  '{{ (1..1000000) | where_exp: "x", "x > 5" | size }}',
  '{% assign big = (1..10000) %}{{ (1..10000) | where_exp: "x", "big contains x" | size }}',
  '{{ (1..1000000) | sort_natural | size }}',
  '{% assign big = (1..10000) %}{{ (1..10000) | where_exp: "x", "big contains x" | uniq | size }}',
]

const CONTEXT = {
  workspace: 'acme',
  journey: { id: 'j_1', name: 'Cart', version: 1 },
  runId: 'run_1',
  nodeId: 'hook',
  user: { id: 'ann', traits: { email: 'ann@example.com' } },
  event: null,
  message: null,
}

describe('hostile Liquid over the API', () => {
  it('is cut off within a second per render while /healthz keeps answering', async () => {
    const { url } = await servers.start()
    const sink = new WebhookSink()
    await sink.start()
    servers.onCleanup(() => sink.stop())
    const hook = (await http(url, 'POST', '/api/webhooks', { name: 'CRM', url: `${sink.url}/crm` })).json
    const provider = (await http(url, 'POST', '/api/channels', { name: 'Gateway', channel: 'sms', kind: 'http', config: { url: `${sink.url}/sms`, body: HOSTILE[1] } })).json
    expect(await fetch(`${url}/healthz`).then((r) => r.status)).toBe(200)

    let busy = true
    const healthz: number[] = []
    const probe = (async () => {
      while (busy) {
        const started = performance.now()
        const res = await fetch(`${url}/healthz`)
        await res.text()
        healthz.push(performance.now() - started)
        await new Promise((r) => setTimeout(r, 10))
      }
    })()
    const timed = async <T>(work: Promise<T>): Promise<{ ms: number; value: T }> => {
      const started = performance.now()
      const value = await work
      return { ms: performance.now() - started, value }
    }
    const previews = HOSTILE.map((template) => timed(http(url, 'POST', `/api/webhooks/${hook.id}/preview`, { body: { kind: 'template', template }, context: CONTEXT })))
    const test = timed(http(url, 'POST', `/api/channels/${provider.id}/test`, { to: '+15550001' }))
    const answers = await Promise.all(previews)
    const tested = await test
    busy = false
    await probe

    for (const a of answers) {
      expect(a.value).toMatchObject({ status: 400, json: { error: { code: 'webhook.template_error', message: expect.stringMatching(/^template error: /) } } })
      // Five at once (four previews and the channel test) share two render threads: the last
      // waits for two rounds of cut-offs before its own, each within a second, and each cut-off
      // starts a fresh thread. Three seconds left no room: a CI run beside another package's
      // tests took 3.3 s. Unbounded would be a stall, which this still catches.
      expect(a.ms).toBeLessThan(RENDERS_DONE_MS)
    }
    expect(tested.value.json).toMatchObject({ ok: false, reason: expect.stringMatching(/^request body: template error: /) })
    expect(tested.ms).toBeLessThan(RENDERS_DONE_MS)
    expect(sink.received).toHaveLength(0)
    // The event loop never waited on a template: /healthz answered throughout, each call quickly.
    expect(healthz.length).toBeGreaterThan(5)
    const sorted = [...healthz].sort((a, b) => a - b)
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(100)
    expect(sorted.at(-1)).toBeLessThan(250)
  })
})
