import { performance } from 'node:perf_hooks'
import type { SqliteEngineStore } from './store'
import { parseHistoryMark, yieldToEventLoop, type Retention, type RetentionOptions, type RetentionPass, type RetentionPolicy } from '../retention'
import { StoredHistoryMark } from '../stored'
import { pageSize } from './open'

/** What one step of `incremental_vacuum` gives back by default (1 MB: a few milliseconds). */
const VACUUM_STEP_BYTES = 1024 * 1024

/**
 * Deletes what the retention policy lets go, in small transactions with the event loop free
 * between them, so ingest and the engine never wait long for the write lock. Kept, whatever
 * their age: journal events not applied yet, events held for a paused journey, everything received
 * since the earliest open goal window began, and the newest journal row (SQLite would otherwise
 * give its sequence number to the next event, behind the applied cursor). Active runs' history
 * is never touched.
 */
export class SqliteRetention implements Retention {
  private readonly batchSize: number
  private readonly vacuumPages: number
  private readonly onStep: ((ms: number) => void) | undefined
  private readonly s

  constructor(
    private readonly store: SqliteEngineStore,
    private readonly policy: RetentionPolicy,
    o: RetentionOptions = {},
  ) {
    this.batchSize = o.batchSize ?? 1000
    this.vacuumPages = o.vacuumPages ?? Math.max(1, Math.round(VACUUM_STEP_BYTES / pageSize(store.db)))
    this.onStep = o.onStep
    const db = store.db
    const p = <P extends unknown[], R = unknown>(sql: string) => db.prepare<P, R>(sql)
    this.s = {
      appliedSeq: p<[], { value: string }>(`SELECT value FROM engine_meta WHERE key = 'applied_seq'`),
      head: p<[], { seq: number | null }>('SELECT max(seq) AS seq FROM journal'),
      goalFloor: p<[number], { at: number | null }>('SELECT min(entered_at) AS at FROM goal_watches WHERE deadline > ?'),
      // Seq and received time grow together, so the first row received at or after the cutoff
      // bounds a seq range whose rows are all older: found from the front of the table, no index.
      firstSeqFrom: p<[number], { seq: number }>('SELECT seq FROM journal WHERE received_at >= ? ORDER BY seq LIMIT 1'),
      batchEnd: p<[number, number, number], { seq: number }>('SELECT seq FROM journal WHERE seq > ? AND seq < ? ORDER BY seq LIMIT 1 OFFSET ?'),
      keepKeys: p<[number, number, number]>(
        `INSERT OR IGNORE INTO dedupe_keys (message_id, received_at)
         SELECT message_id, received_at FROM journal
         WHERE seq > ? AND seq <= ? AND received_at >= ? AND seq NOT IN (SELECT seq FROM held_events)`,
      ),
      deleteJournal: p<[number, number]>('DELETE FROM journal WHERE seq > ? AND seq <= ? AND seq NOT IN (SELECT seq FROM held_events)'),
      pruneKeys: p<[number, number]>(
        'DELETE FROM dedupe_keys WHERE message_id IN (SELECT message_id FROM dedupe_keys WHERE received_at < ? LIMIT ?)',
      ),
      historyMark: p<[], { value: string }>(`SELECT value FROM engine_meta WHERE key = 'history_pruned_through'`),
      setHistoryMark: p<[string]>(
        `INSERT INTO engine_meta (key, value) VALUES ('history_pruned_through', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ),
      endedRuns: p<[number, string, number, number], { run_id: string; ended_at: number }>(
        `SELECT run_id, ended_at FROM runs WHERE status IN ('completed', 'exited')
         AND (ended_at, run_id) > (?, ?) AND ended_at < ? ORDER BY ended_at, run_id LIMIT ?`,
      ),
      deleteHistory: p<[string]>('DELETE FROM history WHERE run_id IN (SELECT value FROM json_each(?))'),
      deleteRuns: p<[string]>('DELETE FROM runs WHERE run_id IN (SELECT value FROM json_each(?))'),
      freePages: p<[], { freelist_count: number }>('PRAGMA freelist_count'),
    }
  }

  /** One pass over everything retention looks after, as of `now`. */
  async run(now: number): Promise<RetentionPass> {
    const started = performance.now()
    const pass: RetentionPass = { journalRows: 0, historyRows: 0, runs: 0, dedupeKeysKept: 0, dedupeKeysPruned: 0, pagesFreed: 0, ms: 0, longestBatchMs: 0 }
    const timed = <T>(work: () => T): T => this.step(pass, () => this.store.db.transaction(work).immediate())
    await this.pruneJournal(now, pass, timed)
    await this.pruneDedupeKeys(now, pass, timed)
    await this.pruneHistory(now, pass, timed)
    if (pass.journalRows + pass.historyRows + pass.dedupeKeysPruned > 0) await this.vacuum(pass)
    pass.ms = performance.now() - started
    return pass
  }

  private async pruneJournal(now: number, pass: RetentionPass, timed: <T>(work: () => T) => T): Promise<void> {
    const s = this.s
    const applied = Number(s.appliedSeq.get()?.value ?? 0)
    const head = s.head.get()?.seq ?? 0
    const goalFloor = s.goalFloor.get(now)?.at ?? Number.POSITIVE_INFINITY
    const cutoff = Math.min(now - this.policy.journalMs, goalFloor)
    // Deletable: seq < end. Never the newest row, never one not applied yet.
    const end = Math.min(s.firstSeqFrom.get(cutoff)?.seq ?? Number.POSITIVE_INFINITY, applied + 1, head)
    const keepFrom = now - this.policy.dedupeWindowMs
    let from = 0
    while (from < end - 1) {
      const to = s.batchEnd.get(from, end, this.batchSize - 1)?.seq ?? end - 1
      timed(() => {
        const kept = s.keepKeys.run(from, to, keepFrom).changes
        if (kept > 0) {
          pass.dedupeKeysKept += kept
          this.store.dedupeKeysChanged()
        }
        pass.journalRows += s.deleteJournal.run(from, to).changes
      })
      from = to
      await yieldToEventLoop()
    }
  }

  private async pruneDedupeKeys(now: number, pass: RetentionPass, timed: <T>(work: () => T) => T): Promise<void> {
    const before = now - this.policy.dedupeWindowMs
    for (;;) {
      const n = timed(() => this.s.pruneKeys.run(before, this.batchSize).changes)
      pass.dedupeKeysPruned += n
      if (n < this.batchSize) break
      await yieldToEventLoop()
    }
    if (pass.dedupeKeysPruned > 0) this.store.dedupeKeysChanged()
  }

  /**
   * Ended runs past the cutoff are deleted with their history, walked in end order from a mark
   * kept in `engine_meta`. Who ever entered a journey stays in `entered_journeys`, which re-entry
   * rules read, so `reentry: never` holds after the runs are gone.
   */
  private async pruneHistory(now: number, pass: RetentionPass, timed: <T>(work: () => T) => T): Promise<void> {
    const s = this.s
    const cutoff = now - this.policy.historyMs
    const runsPerBatch = Math.max(1, Math.floor(this.batchSize / 10))
    const mark = parseHistoryMark(s.historyMark.get()?.value)
    for (;;) {
      const done = timed(() => {
        const runs = s.endedRuns.all(mark.endedAt, mark.runId, cutoff, runsPerBatch)
        const last = runs[runs.length - 1]
        if (last === undefined) return true
        const ids = JSON.stringify(runs.map((r) => r.run_id))
        pass.historyRows += s.deleteHistory.run(ids).changes
        pass.runs += s.deleteRuns.run(ids).changes
        mark.endedAt = last.ended_at
        mark.runId = last.run_id
        s.setHistoryMark.run(StoredHistoryMark.encode(mark))
        return runs.length < runsPerBatch
      })
      if (done) return
      await yieldToEventLoop()
    }
  }

  /** Runs one step that holds the write lock, and times it. */
  private step<T>(pass: RetentionPass, work: () => T): T {
    const t = performance.now()
    try {
      return work()
    } finally {
      const ms = performance.now() - t
      pass.longestBatchMs = Math.max(pass.longestBatchMs, ms)
      this.onStep?.(ms)
    }
  }

  /** Gives freed pages back to the file system a step at a time (the file uses incremental auto-vacuum). */
  private async vacuum(pass: RetentionPass): Promise<void> {
    const db = this.store.db
    let free = this.s.freePages.get()?.freelist_count ?? 0
    while (free > 0) {
      this.step(pass, () => db.pragma(`incremental_vacuum(${this.vacuumPages})`))
      const left = this.s.freePages.get()?.freelist_count ?? 0
      // Not an incremental-vacuum file (made before it was the default): nothing goes back.
      if (left >= free) return
      pass.pagesFreed += free - left
      free = left
      await yieldToEventLoop()
    }
  }
}
