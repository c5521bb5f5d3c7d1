import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadExample } from '@switchyard/testkit'
import { http, liveServers, until } from '../test/live'
import { ConfigError, loadConfig } from './config'

const servers = liveServers()

/** A counter or gauge from /metrics. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return Number(line?.split(' ')[1])
}

describe('the engine thread (SQLite)', () => {
  it('applies what the HTTP thread stored, takes pause and resume, wakes the relay, and its counts show in /metrics', async () => {
    const running = await servers.start()
    // The HTTP thread's engine only ingests and reads.
    await expect(running.engine.processPending()).rejects.toThrow(/engine thread/)
    const { url } = running
    const { id } = (await http(url, 'POST', '/api/journeys', loadExample('netcore-cart-rcs', 'wh_unused'))).json
    // Publishing is validated on the engine thread against this thread's webhooks: the unknown one is reported.
    expect((await http(url, 'POST', `/api/journeys/${id}/publish`)).json.issues.map((i: { code: string }) => i.code)).toContain('webhook.unknown')
    const hook = (await http(url, 'POST', '/api/webhooks', { name: 'Call centre', url: 'http://127.0.0.1:9/hook' })).json.id
    const graph = loadExample('netcore-cart-rcs', hook).graph
    expect((await http(url, 'PUT', `/api/journeys/${id}`, { graph })).status).toBe(200)
    expect((await http(url, 'POST', `/api/journeys/${id}/publish`)).json.version).toBe(1)

    expect((await http(url, 'POST', `/api/journeys/${id}/pause`)).json.status).toBe('paused')
    await http(url, 'POST', '/v1/batch', { batch: [{ type: 'identify', userId: 'ann', traits: { FIRSTNAME: 'Ann' } }, { type: 'track', userId: 'ann', event: 'add_to_cart' }] })
    // Applied (and held) by the engine thread: its count reaches this thread's /metrics.
    expect(await until(() => metric(url, 'switchyard_events_applied_total'), (n) => n === 2)).toBe(2)
    expect(await metric(url, 'switchyard_engine_lag_events')).toBe(0)
    expect((await http(url, 'GET', `/api/journeys/${id}/users/ann`)).json.runs).toEqual([])

    expect((await http(url, 'POST', `/api/journeys/${id}/resume`)).json.status).toBe('live')
    // The held event is applied on resume, and the thread's outbox commit wakes the relay here: the message is sent.
    const sent = await until(
      () => http(url, 'GET', `/api/journeys/${id}/users/ann`),
      (r) => r.json.runs[0]?.history.some((h: { kind: string; detail: { status?: string } | null }) => h.kind === 'message' && h.detail?.status === 'sent'),
    )
    expect(sent.json.runs[0].currentNodeId).toBe('wait')
    // The `rcs.sent` event the relay stored here is applied there too.
    expect(await until(() => metric(url, 'switchyard_events_applied_total'), (n) => n === 3)).toBe(3)
    expect(await metric(url, 'switchyard_events_accepted_total')).toBe(3)
    // Nothing failed to apply: none set aside.
    expect(await metric(url, 'switchyard_events_set_aside_total')).toBe(0)

    expect((await http(url, 'DELETE', `/api/journeys/${id}`)).json.error.code).toBe('journey.has_active_users')
    expect((await http(url, 'DELETE', `/api/journeys/${id}?exitUsers=true`)).status).toBe(204)
    expect((await http(url, 'GET', `/api/journeys/${id}`)).status).toBe(404)
  })

  it('stays on one thread with ENGINE_THREAD=main', async () => {
    const running = await servers.start({ ENGINE_THREAD: 'main' })
    await expect(running.engine.processPending()).resolves.toBe(0)
  })

  it('checkpoints the WAL on a thread of its own beside the engine thread, and closes it on stop', async () => {
    const single = await servers.start({ ENGINE_THREAD: 'main' })
    const inline = Number(single.db?.pragma('wal_autocheckpoint', { simple: true }))
    await single.stop()
    const running = await servers.start()
    // The writers' own threshold is only a bound, should the checkpoint thread fall behind.
    expect(running.db?.pragma('wal_autocheckpoint', { simple: true })).toBe(4 * inline)
    const { url } = running
    expect((await http(url, 'POST', '/v1/batch', { batch: [{ type: 'identify', userId: 'ann', traits: { name: 'Ann' } }] })).status).toBe(200)
    const path = running.backend.kind === 'sqlite' ? running.backend.path : ''
    expect(existsSync(`${path}-wal`)).toBe(true)
    await running.stop()
    // No connection is left open: the last to close took the WAL away.
    expect(existsSync(`${path}-wal`)).toBe(false)
  })

  it('refuses an ENGINE_THREAD it cannot run, with a sentence', () => {
    expect(() => loadConfig({ ENGINE_THREAD: 'both' })).toThrow(ConfigError)
    expect(() => loadConfig({ ENGINE_THREAD: 'worker', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' })).toThrow(/ROLE=api and ROLE=worker/)
    expect(loadConfig({}).engineThread).toBe('worker')
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }).engineThread).toBe('main')
  })
})
