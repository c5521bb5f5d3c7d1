import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { CHECKPOINT_BYTES, openDatabase, PAGE_SIZE_BYTES, WAL_SIZE_LIMIT_BYTES } from './open'

const INCREMENTAL = 2

describe('openDatabase', () => {
  it('creates new databases with incremental vacuum and a WAL size limit', () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'sy-open-')), 'new.db'))
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(INCREMENTAL)
    expect(db.pragma('journal_size_limit', { simple: true })).toBe(WAL_SIZE_LIMIT_BYTES)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('page_size', { simple: true })).toBe(PAGE_SIZE_BYTES)
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(CHECKPOINT_BYTES / PAGE_SIZE_BYTES)
    db.close()
  })

  it('keeps the page size of a WAL file made before, and checkpoints it after the same number of bytes', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sy-open-')), 'wal-4k.db')
    const old = new Database(path)
    old.pragma('page_size = 4096')
    old.pragma('auto_vacuum = INCREMENTAL')
    old.pragma('journal_mode = WAL')
    old.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)')
    old.prepare('INSERT INTO t (body) VALUES (?)').run('kept')
    old.close()

    const db = openDatabase(path)
    expect(db.pragma('page_size', { simple: true })).toBe(4096)
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(CHECKPOINT_BYTES / 4096)
    expect(db.prepare('SELECT body FROM t').pluck().get()).toBe('kept')
    db.close()
  })

  it('moves a database made without incremental vacuum to it once, keeping its rows, and gives freed pages back', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sy-open-')), 'old.db')
    const old = new Database(path)
    old.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)')
    const insert = old.prepare('INSERT INTO t (body) VALUES (?)')
    old.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('x'.repeat(1000))
    })()
    expect(old.pragma('auto_vacuum', { simple: true })).toBe(0)
    old.close()

    const db = openDatabase(path)
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(INCREMENTAL)
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2000 })
    db.exec('DELETE FROM t WHERE id > 100')
    const free = Number(db.pragma('freelist_count', { simple: true }))
    expect(free).toBeGreaterThan(100)
    db.pragma(`incremental_vacuum(${free})`)
    expect(db.pragma('freelist_count', { simple: true })).toBe(0)
    db.close()
  })
})
