import { statSync } from 'node:fs'
import { SqliteEngineStore, SqliteRetention, openDatabase } from '@switchyard/engine'
import { percentile, round, sortNumbers, tempDir } from './util'

const DAY = 86_400_000

export interface RetentionFigure {
  rows: number
  deleted: number
  passMs: number
  /** Each step (a deletion batch or a vacuum step) holds the write lock this long. */
  steps: number
  stepP50Ms: number
  stepP99Ms: number
  longestBatchMs: number
  pagesFreed: number
  fileMbBefore: number
  fileMbAfter: number
}

/**
 * One retention pass over `rows` applied journal events, all older than the 30-day retention:
 * the pass's wall time and its longest transaction, which is how long ingest could wait for
 * the write lock. Rows are written by SQL with payloads the size of a tracked event.
 */
export async function retentionPass(rows: number): Promise<RetentionFigure> {
  const tmp = tempDir('retention')
  try {
    const now = Date.now()
    const db = openDatabase(tmp.file)
    const store = new SqliteEngineStore(db, now)
    const insert = db.prepare('INSERT INTO journal (message_id, type, user_id, payload, timestamp, received_at) VALUES (?, ?, ?, ?, ?, ?)')
    const payload = JSON.stringify({ event: 'add_to_cart', properties: { sku: 'SKU-12345', price: 19.99, currency: 'EUR', quantity: 2 }, context: { ip: '203.0.113.7' } })
    const old = now - 40 * DAY
    db.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(`bench-${i}-${old}`, 'track', `user-${i % 10_000}`, payload, old + i, old + i)
      // Applied through the last row; one fresh row stays as the journal's newest.
      insert.run(`bench-fresh-${now}`, 'track', 'user-0', payload, now, now)
      db.prepare(`INSERT INTO engine_meta (key, value) VALUES ('applied_seq', ?)`).run(String(rows + 1))
    })()
    db.pragma('wal_checkpoint(TRUNCATE)')
    const before = statSync(tmp.file).size
    const steps: number[] = []
    const policy = { journalMs: 30 * DAY, historyMs: 180 * DAY, dedupeWindowMs: 7 * DAY }
    const pass = await new SqliteRetention(store, policy, { onStep: (ms) => steps.push(ms) }).run(now)
    const sorted = sortNumbers(steps)
    db.pragma('wal_checkpoint(TRUNCATE)')
    const after = statSync(tmp.file).size
    db.close()
    return {
      rows,
      deleted: pass.journalRows,
      passMs: round(pass.ms),
      steps: steps.length,
      stepP50Ms: round(percentile(sorted, 50), 1),
      stepP99Ms: round(percentile(sorted, 99), 1),
      longestBatchMs: round(pass.longestBatchMs, 1),
      pagesFreed: pass.pagesFreed,
      fileMbBefore: round(before / 2 ** 20, 1),
      fileMbAfter: round(after / 2 ** 20, 1),
    }
  } finally {
    tmp.cleanup()
  }
}
