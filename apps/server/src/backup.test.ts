import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { edge, exit, graph, journeyInput, minutes, trigger, waitEvent } from '@switchyard/testkit'
import { loadConfig, ConfigError } from './config'
import { http, liveServers, until } from '../test/live'

const servers = liveServers()
const waitJourney = journeyInput('Waits', graph([trigger('t', 'Signed Up'), waitEvent('w', 'Paid', minutes(30)), exit('x'), exit('y')], [edge('t', 'next', 'w'), edge('w', 'matched', 'x'), edge('w', 'timeout', 'y')]))

describe('POST /api/system/backup', () => {
  it('answers a consistent SQLite copy while ingestion goes on, holding everything committed before it began', async () => {
    const running = await servers.start({ ADMIN_TOKEN: 'admin', WRITE_KEY: 'wk' })
    const admin = { authorization: 'Bearer admin' }
    const write = { authorization: 'Bearer wk' }
    expect((await http(running.url, 'POST', '/api/system/backup')).status).toBe(401)
    const { id } = (await http(running.url, 'POST', '/api/journeys', waitJourney, admin)).json
    await http(running.url, 'POST', `/api/journeys/${id}/publish`, undefined, admin)
    const batch = (from: number) => ({ batch: Array.from({ length: 200 }, (_, i) => ({ type: 'track', userId: `u${from + i}`, event: 'Signed Up' })) })
    for (let k = 0; k < 5; k++) expect((await http(running.url, 'POST', '/v1/batch', batch(k * 200), write)).status).toBe(200)
    await until(() => http(running.url, 'GET', `/api/journeys/${id}/stats`, undefined, admin), (r) => r.json.nodes.w?.active === 1000)

    // Writers keep going while the copy is taken.
    let stop = false
    let sent = 1000
    const load = (async () => {
      while (!stop) {
        await http(running.url, 'POST', '/v1/batch', batch(sent), write)
        sent += 200
      }
    })()
    const res = await fetch(`${running.url}/api/system/backup`, { method: 'POST', headers: admin })
    stop = true
    await load
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/vnd.sqlite3')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="switchyard-.*\.db"$/)
    const file = join(mkdtempSync(join(tmpdir(), 'sy-restore-')), 'restored.db')
    writeFileSync(file, Buffer.from(await res.arrayBuffer()))

    const copy = new Database(file, { readonly: true })
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(copy.prepare('SELECT count(*) AS n FROM journeys WHERE id = ?').get(id)).toEqual({ n: 1 })
    const runs = copy.prepare<[string], { n: number }>("SELECT count(*) AS n FROM runs WHERE journey_id = ? AND status = 'active'").get(id)?.n ?? 0
    expect(runs).toBeGreaterThanOrEqual(1000)
    expect(runs).toBeLessThanOrEqual(sent)
    copy.close()
  })

  it('reports the journal, the history and the database size in /metrics', async () => {
    const running = await servers.start()
    const { id } = (await http(running.url, 'POST', '/api/journeys', waitJourney)).json
    await http(running.url, 'POST', `/api/journeys/${id}/publish`)
    await http(running.url, 'POST', '/v1/track', { userId: 'ann', event: 'Signed Up' })
    await until(() => http(running.url, 'GET', `/api/journeys/${id}/users/ann`), (r) => r.json.runs.length === 1)
    const text = await (await fetch(`${running.url}/metrics`)).text()
    expect(text).toMatch(/^switchyard_journal_rows 1$/m)
    expect(Number(/^switchyard_history_rows (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(2)
    expect(Number(/^switchyard_database_bytes (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(4096)
  })
})

describe('SQLITE_SYNCHRONOUS', () => {
  it('makes every commit wait for the disk when full, and refuses other values with a sentence', async () => {
    const running = await servers.start({ SQLITE_SYNCHRONOUS: 'full' })
    expect(running.db?.pragma('synchronous', { simple: true })).toBe(2)
    expect(loadConfig({}).sqliteSynchronous).toBe('normal')
    expect(() => loadConfig({ SQLITE_SYNCHRONOUS: 'off' })).toThrow(ConfigError)
    expect(() => loadConfig({ SQLITE_SYNCHRONOUS: 'off' })).toThrow(/full.*normal/)
  })
})
