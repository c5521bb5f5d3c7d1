import { StoredHistoryMark } from './stored'

/** How long each kind of row is kept, in milliseconds. */
export interface RetentionPolicy {
  /** Applied journal events, by when they were received. */
  journalMs: number
  /** History of runs that ended, by when they ended. */
  historyMs: number
  /** A message id is refused again for this long after it was received. */
  dedupeWindowMs: number
}

export interface RetentionOptions {
  /** Rows deleted per transaction (journal, dedupe keys; history counts runs a tenth of it). */
  batchSize?: number
  /** SQLite: pages given back to the file system per step of `incremental_vacuum` (default: 1 MB's worth). */
  vacuumPages?: number
  /** Hears how long each step held the write lock (the bench's distribution). */
  onStep?: (ms: number) => void
}

/** What one pass did. */
export interface RetentionPass {
  journalRows: number
  historyRows: number
  /** Ended runs deleted with their history (who entered which journey is kept apart). */
  runs: number
  /** Message ids moved to `dedupe_keys` because their journal rows went inside the window. */
  dedupeKeysKept: number
  dedupeKeysPruned: number
  pagesFreed: number
  ms: number
  /** The longest single transaction of the pass (a deletion batch or a vacuum step). */
  longestBatchMs: number
}

/**
 * Deletes what the retention policy lets go, in small transactions with the event loop free
 * between them. Both backends keep, whatever their age: journal events not applied yet, events
 * held for a paused journey, everything received since the earliest open goal window began, and
 * the newest journal row; active runs' history is never touched.
 */
export interface Retention {
  /** One pass over everything retention looks after, as of `now`. */
  run(now: number): Promise<RetentionPass>
}

export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Where retention's walk of ended runs stopped, from `engine_meta` (`history_pruned_through`). */
export function parseHistoryMark(value: string | undefined): { endedAt: number; runId: string } {
  const start = { endedAt: Number.MIN_SAFE_INTEGER, runId: '' }
  if (value === undefined) return start
  try {
    return StoredHistoryMark.decode(value)
  } catch {
    // An unreadable mark costs one walk over the ended runs again, nothing else.
    return start
  }
}
