import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { ThreadWriteLock, guardWrites, whenWritable, writeTransaction } from './write-lock'

const OTHER = 99

/**
 * Another thread that takes the lock, says so, and gives it back on its own after `holdMs`
 * (write-lock-holder.fixture.mjs), first setting slot 1 to 1 so the test can tell it released
 * before the waiter went on.
 */
async function otherThreadHolds(buffer: SharedArrayBuffer, holdMs: number): Promise<Worker> {
  const worker = new Worker(new URL('./write-lock-holder.fixture.mjs', import.meta.url), { workerData: { buffer, holdMs } })
  await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  return worker
}

describe('ThreadWriteLock', () => {
  it('blocks a thread that acquires while another holds it until that one releases', async () => {
    const buffer = new SharedArrayBuffer(8)
    const worker = await otherThreadHolds(buffer, 30)
    const lock = new ThreadWriteLock(buffer)
    lock.acquire()
    expect(new Int32Array(buffer)[1]).toBe(1)
    expect(lock.held).toBe(true)
    lock.release()
    expect(Atomics.load(new Int32Array(buffer), 0)).toBe(0)
    await worker.terminate()
  })

  it('wakes every write awaiting it on this thread when the other thread releases', async () => {
    const buffer = new SharedArrayBuffer(8)
    const worker = await otherThreadHolds(buffer, 30)
    const lock = new ThreadWriteLock(buffer)
    const woken: number[] = []
    await Promise.all([1, 2, 3].map((n) => lock.whenFree()?.then(() => woken.push(n))))
    expect(woken.sort()).toEqual([1, 2, 3])
    expect(new Int32Array(buffer)[1]).toBe(1)
    await worker.terminate()
  })

  it('is free at once when nobody holds it, and held until the outermost release', () => {
    const lock = new ThreadWriteLock()
    expect(lock.whenFree()).toBeUndefined()
    lock.acquire()
    lock.acquire()
    lock.release()
    expect(lock.held).toBe(true)
    expect(Atomics.load(new Int32Array(lock.buffer), 0)).not.toBe(0)
    lock.release()
    expect(lock.held).toBe(false)
    expect(Atomics.load(new Int32Array(lock.buffer), 0)).toBe(0)
  })

  it('takes the lock after its wait limit when the holder never gives it back', async () => {
    const buffer = new SharedArrayBuffer(8)
    Atomics.store(new Int32Array(buffer), 0, OTHER)
    const lock = new ThreadWriteLock(buffer, 20)
    await lock.whenFree()
    lock.acquire()
    expect(lock.held).toBe(true)
    expect(Atomics.load(new Int32Array(buffer), 0)).not.toBe(OTHER)
    lock.release()
  })
})

describe('guardWrites', () => {
  const open = () => new Database(join(mkdtempSync(join(tmpdir(), 'sy-lock-')), 'db.sqlite'))

  it('holds the lock through an immediate transaction, nested ones included, and gives it back after a rollback', async () => {
    const db = open()
    const lock = new ThreadWriteLock()
    guardWrites(db, lock)
    db.exec('CREATE TABLE t (v INTEGER)')
    const seen: boolean[] = []
    db.transaction(() => {
      seen.push(lock.held)
      db.transaction(() => {
        db.prepare('INSERT INTO t VALUES (1)').run()
        seen.push(lock.held)
      }).immediate()
      seen.push(lock.held)
    }).immediate()
    expect(seen).toEqual([true, true, true])
    expect(lock.held).toBe(false)
    expect(() =>
      db.transaction(() => {
        db.prepare('INSERT INTO t VALUES (2)').run()
        throw new Error('refused')
      }).immediate(),
    ).toThrow('refused')
    expect(lock.held).toBe(false)
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 })
    // Deferred transactions (reads) do not take it.
    db.transaction(() => seen.push(lock.held))()
    expect(seen.at(-1)).toBe(false)
    await whenWritable(db)
    db.close()
  })

  it('lets a write wait for another thread without blocking this one', async () => {
    const db = open()
    const buffer = new SharedArrayBuffer(8)
    guardWrites(db, new ThreadWriteLock(buffer))
    const worker = await otherThreadHolds(buffer, 30)
    let turns = 0
    const ticking = setInterval(() => turns++, 1)
    await whenWritable(db)
    clearInterval(ticking)
    expect(new Int32Array(buffer)[1]).toBe(1)
    expect(turns).toBeGreaterThan(0)
    db.close()
    await worker.terminate()
  })

  it('runs a write transaction once the other thread lets go, holding the lock through it, without blocking this thread', async () => {
    const db = open()
    db.exec('CREATE TABLE t (v INTEGER)')
    const buffer = new SharedArrayBuffer(8)
    const lock = new ThreadWriteLock(buffer)
    guardWrites(db, lock)
    const worker = await otherThreadHolds(buffer, 30)
    // The lock is the other thread's: trying does not take it.
    expect(lock.tryAcquire()).toBe(false)
    let turns = 0
    const ticking = setInterval(() => turns++, 1)
    const held = await writeTransaction(db, () => {
      db.prepare('INSERT INTO t VALUES (1)').run()
      return lock.held
    })
    clearInterval(ticking)
    expect(held).toBe(true)
    expect(new Int32Array(buffer)[1]).toBe(1)
    expect(turns).toBeGreaterThan(0)
    expect(lock.held).toBe(false)
    expect(Atomics.load(new Int32Array(buffer), 0)).toBe(0)
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 })
    db.close()
    await worker.terminate()
  })
})
