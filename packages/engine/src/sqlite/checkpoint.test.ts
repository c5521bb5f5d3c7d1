import { copyFileSync, existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { startBackgroundCheckpoint } from './checkpoint'
import { CHECKPOINT_BYTES, openDatabase, PAGE_SIZE_BYTES } from './open'

const ROWS = 2000

function filled(dir: string) {
  const path = join(dir, 'bg.db')
  const db = openDatabase(path, { checkpoint: 'background' })
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)')
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)')
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) insert.run('x'.repeat(500))
  })()
  return { path, db }
}

/** The rows the file itself holds, without its WAL: a copy of the file alone, opened apart. */
function rowsInFile(path: string, dir: string): number {
  const copy = join(dir, `copy-${Math.random().toString(36).slice(2)}.db`)
  copyFileSync(path, copy)
  const db = new Database(copy, { readonly: true })
  try {
    const table = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 't'").get() as { n: number }
    return table.n === 0 ? 0 : (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n
  } finally {
    db.close()
  }
}

describe('background checkpoint', () => {
  it('leaves the writer a threshold four times higher, and copies its commits into the file itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-ckpt-'))
    const { path, db } = filled(dir)
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe((4 * CHECKPOINT_BYTES) / PAGE_SIZE_BYTES)
    // The writer has not checkpointed: the rows are in the WAL only.
    expect(rowsInFile(path, dir)).toBe(0)

    let passed = () => {}
    const copied = new Promise<void>((resolve) => (passed = resolve))
    const checkpoint = startBackgroundCheckpoint(path, { intervalMs: 10, onPass: (frames) => frames > 0 && passed() })
    await copied
    expect(rowsInFile(path, dir)).toBe(ROWS)
    await checkpoint.stop()
    db.close()
  })

  it('closes its connection when stopped, so the last writer to close removes the WAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-ckpt-'))
    const { path, db } = filled(dir)
    let passes = 0
    let passed = () => {}
    const twice = new Promise<void>((resolve) => (passed = resolve))
    const checkpoint = startBackgroundCheckpoint(path, { intervalMs: 10, onPass: () => ++passes === 2 && passed() })
    await twice
    await checkpoint.stop()
    await checkpoint.stop()
    expect(existsSync(`${path}-wal`)).toBe(true)
    db.close()
    expect(existsSync(`${path}-wal`)).toBe(false)
  })

  it('tells a failure and still stops', async () => {
    const failures: string[] = []
    const checkpoint = startBackgroundCheckpoint(join(mkdtempSync(join(tmpdir(), 'sy-ckpt-')), 'missing.db'), { intervalMs: 10, onFailure: (e) => failures.push(e) })
    await checkpoint.stop()
    expect(failures).toEqual([expect.stringMatching(/^cannot open .*missing\.db: /)])
  })
})
