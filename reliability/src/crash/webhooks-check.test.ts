import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { type Arrival, checkWebhooks } from './webhooks-check'

/**
 * The harness's duplicate check on a file holding only what it reads: one journey delivery
 * `d1`, queued, delivered after two attempts, and the attempts the server recorded for it.
 */
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function fileWith(attempts: { attempt: number; status: number | null; error: string | null }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sy-hooks-check-'))
  dirs.push(dir)
  const path = join(dir, 'check.db')
  const db = new Database(path)
  db.exec(`CREATE TABLE webhook_deliveries (id TEXT PRIMARY KEY, batch_id TEXT, source TEXT, status TEXT, attempts INTEGER);
    CREATE TABLE webhook_attempts (delivery_id TEXT, attempt INTEGER, at INTEGER, status INTEGER, error TEXT);
    CREATE TABLE history (kind TEXT, detail TEXT);`)
  db.prepare("INSERT INTO webhook_deliveries VALUES ('d1', NULL, 'journey', 'delivered', ?)").run(attempts.length)
  for (const a of attempts) db.prepare("INSERT INTO webhook_attempts VALUES ('d1', ?, 1000, ?, ?)").run(a.attempt, a.status, a.error)
  db.prepare("INSERT INTO history VALUES ('webhook', ?)").run(JSON.stringify({ status: 'queued', deliveryId: 'd1' }))
  db.close()
  return path
}

const twice: Arrival[] = [
  { webhookId: 'd1', at: 1_000, status: 200 },
  { webhookId: 'd1', at: 3_500, status: 200 },
]

describe('the duplicate webhook check', () => {
  it('explains a repeat after an attempt the server recorded without an answer', async () => {
    const path = fileWith([
      { attempt: 1, status: null, error: 'no answer within 2000 ms' },
      { attempt: 2, status: 200, error: null },
    ])
    const figures = await checkWebhooks(path, twice, [])
    expect(figures.duplicates).toMatchObject({ total: 1, retryAfterNoAnswer: 1, unexplained: 0 })
    expect(figures.missing).toEqual([])
  })

  it('counts a repeat as unexplained, and keeps its evidence, when every attempt was answered and no process died', async () => {
    const path = fileWith([
      { attempt: 1, status: 200, error: null },
      { attempt: 2, status: 200, error: null },
    ])
    const figures = await checkWebhooks(path, twice, [])
    expect(figures.duplicates).toMatchObject({ total: 1, retryAfterNoAnswer: 0, inFlightAtKill: 0, unexplained: 1 })
    expect(figures.unexplained).toEqual([{ webhookId: 'd1', arrivals: twice, attempts: expect.arrayContaining([expect.objectContaining({ attempt: 2, status: 200 })]) }])
  })

  it('ties an arrival the server never recorded to a kill between the two', async () => {
    const path = fileWith([{ attempt: 1, status: 200, error: null }])
    const figures = await checkWebhooks(path, twice, [{ at: 2_000, cause: 'random' }])
    expect(figures.duplicates).toMatchObject({ total: 1, inFlightAtKill: 1, unexplained: 0 })
  })
})
