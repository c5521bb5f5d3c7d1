import type Database from 'better-sqlite3'
import { threadId } from 'node:worker_threads'

/** `Atomics.waitAsync` (Node 16+), which the compiler's library (ES2022) does not describe yet. */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: false; value: string } | { async: true; value: Promise<string> } }).waitAsync

/** How long a thread waits for the other before it goes ahead and leaves the wait to SQLite. */
const WAIT_LIMIT_MS = 5000

/**
 * Who may write to one SQLite file next, among the threads of one process. SQLite lets one
 * connection write at a time, and a connection that finds the file locked sleeps in steps of 1,
 * 2, 5, 10 ms and more before it tries again: with the main thread and the engine thread both
 * writing all the time, the engine thread spent 15% of an end-to-end run asleep in
 * `BEGIN IMMEDIATE`, part of it after the lock was free again. Here a thread that must wait is
 * woken the moment the other commits (`Atomics.notify`).
 *
 * A thread that can do other work meanwhile (the main thread, with requests to parse) writes
 * through `writeTransaction(db, fn)`, which awaits the lock's release first, so it does not block its event loop while the other thread
 * commits; the transaction then takes the lock without waiting, or briefly.
 *
 * Only a hint: SQLite still arbitrates. A thread that waited WAIT_LIMIT_MS (the other died holding
 * it, or is stuck) takes the lock word anyway and lets SQLite's busy timeout decide.
 */
export class ThreadWriteLock {
  private readonly word: Int32Array
  /** This thread's nested holds (a transaction inside a transaction, another connection of this thread). */
  private depth = 0
  private readonly me = threadId + 1

  constructor(
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4),
    private readonly waitLimitMs: number = WAIT_LIMIT_MS,
  ) {
    this.word = new Int32Array(buffer)
  }

  acquire(): void {
    if (this.depth > 0) {
      this.depth++
      return
    }
    const deadline = Date.now() + this.waitLimitMs
    for (;;) {
      const holder = Atomics.compareExchange(this.word, 0, 0, this.me)
      if (holder === 0 || holder === this.me) break
      const left = deadline - Date.now()
      if (left <= 0) {
        Atomics.store(this.word, 0, this.me)
        break
      }
      Atomics.wait(this.word, 0, holder, left)
    }
    this.depth = 1
  }

  /** Takes it when no other thread holds it, without waiting; false when one does. */
  tryAcquire(): boolean {
    if (this.depth > 0) {
      this.depth++
      return true
    }
    const holder = Atomics.compareExchange(this.word, 0, 0, this.me)
    if (holder !== 0 && holder !== this.me) return false
    this.depth = 1
    return true
  }

  /** How long a thread waits for another before it goes ahead and lets SQLite decide. */
  get waitLimit(): number {
    return this.waitLimitMs
  }

  /** Whether this thread holds it. */
  get held(): boolean {
    return this.depth > 0
  }

  /** Resolves when no other thread holds the lock (at once when none does); it may be taken again before this thread acts. */
  whenFree(): Promise<void> | undefined {
    if (this.depth > 0) return undefined
    const holder = Atomics.load(this.word, 0)
    if (holder === 0 || holder === this.me) return undefined
    const waited = waitAsync(this.word, 0, holder, this.waitLimitMs)
    return waited.async ? waited.value.then(() => undefined) : undefined
  }

  release(): void {
    if (this.depth === 0) return
    if (--this.depth > 0) return
    Atomics.compareExchange(this.word, 0, this.me, 0)
    // Every waiter: a thread may have several writes awaiting `whenFree` besides one blocked in `acquire`.
    Atomics.notify(this.word, 0)
  }
}

type Transaction = ReturnType<Database.Database['transaction']>

const locks = new WeakMap<Database.Database, ThreadWriteLock>()

/** Resolves when `db`'s next write transaction will not have to wait for another thread (at once without a ThreadWriteLock). */
export async function whenWritable(db: Database.Database): Promise<void> {
  await locks.get(db)?.whenFree()
}

/**
 * `fn` in one IMMEDIATE transaction, once another thread's commit is over: how an async store
 * writes, so that its thread goes on with other work instead of blocking while it waits.
 */
export async function writeTransaction<T>(db: Database.Database, fn: () => T): Promise<T> {
  const lock = locks.get(db)
  if (lock === undefined) return db.transaction(fn).immediate()
  // Taken without blocking, or awaited again: the other thread can take it back between the
  // release this thread heard of and this thread's turn, and a blocking wait then stood the event
  // loop still (half a second of a 50,000-user webhook run). Past the wait limit, the blocking
  // acquire decides, as for any transaction.
  const deadline = Date.now() + lock.waitLimit
  while (!lock.tryAcquire()) {
    if (Date.now() >= deadline) return db.transaction(fn).immediate()
    await lock.whenFree()
  }
  try {
    return db.transaction(fn).immediate()
  } finally {
    lock.release()
  }
}

/**
 * Makes `db`'s write transactions (`.immediate()` and `.exclusive()`, which every store uses to
 * write) take `lock` first and give it back after their commit or rollback. Reads, deferred
 * transactions and single statements are left as they are.
 */
export function guardWrites(db: Database.Database, lock: ThreadWriteLock): void {
  locks.set(db, lock)
  const transaction = db.transaction.bind(db)
  const guarded =
    <F extends (...args: never[]) => unknown>(run: F) =>
    (...args: Parameters<F>): ReturnType<F> => {
      lock.acquire()
      try {
        return run(...args) as ReturnType<F>
      } finally {
        lock.release()
      }
    }
  db.transaction = ((fn: (...args: never[]) => unknown) => {
    const t = transaction(fn) as Transaction
    // better-sqlite3's variants are read-only properties: a new function carries them.
    const out = (...args: Parameters<Transaction>) => t(...args)
    return Object.assign(out, { default: t.default, deferred: t.deferred, immediate: guarded(t.immediate), exclusive: guarded(t.exclusive) })
  }) as Database.Database['transaction']
}
