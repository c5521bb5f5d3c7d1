import type { Batch } from './batch'
import type { EngineCommit, EngineStore } from './store'

/** Held triggers of a paused journey share held_events with runs' events, under this key. */
export function heldTriggerKey(journeyId: string): string {
  return `trigger:${journeyId}`
}

export interface ReplayContext {
  store: EngineStore
  /** Held events and timers read per page. */
  pageSize: number
  now: number
  batchFor(userIds: string[], now: number): Promise<Batch>
  /** The engine's commit (which wakes the relay when side effects were queued). */
  commit(c: EngineCommit): Promise<void>
}

/**
 * What reached the journey while it was paused (events for its runs, triggers) and the timers
 * that fell due meanwhile are applied in the order they happened: an event by when it arrived, a
 * timer by when it fell due, so a wait that timed out during the pause takes `timeout` even if
 * the awaited event arrived later. Runs under the engine's lock, after the journey is live again.
 */
export async function replayHeld(journeyId: string, ctx: ReplayContext): Promise<void> {
  const { store, pageSize, now } = ctx
  for (;;) {
    const held = await store.heldEvents(journeyId, pageSize)
    const entries = new Map((await store.readJournalSeqs([...new Set(held.map((h) => h.seq))])).map((e) => [e.seq, e]))
    // A full page of held events may have more after it: timers are taken up to its last arrival.
    const lastArrival = held.length < pageSize ? now : Math.max(...[...entries.values()].map((e) => e.receivedAt))
    const timers = await store.dueTimersOf(journeyId, Math.min(now, lastArrival), pageSize)
    if (held.length === 0 && timers.length === 0) return
    // A full page of timers may have more after it: events after its last one wait for the next page.
    const until = timers.length < pageSize ? Infinity : (timers[timers.length - 1]?.dueAt ?? now)
    const runs = await store.loadRuns([...new Set(held.map((h) => h.runId))])
    const userIds = [...[...runs.values()].map((r) => r.userId), ...[...entries.values()].map((e) => e.userId), ...timers.map((t) => t.userId)]
    const batch = await ctx.batchFor(userIds, now)
    const steps: { at: number; order: number; apply: () => void }[] = timers.map((t, i) => ({ at: t.dueAt, order: i, apply: () => batch.applyTimer(t) }))
    held.forEach((h, i) => {
      const entry = entries.get(h.seq)
      if (entry !== undefined && entry.receivedAt > until) return // the next page, after the timers before it
      const apply = (): void => {
        // The batch's copy: a timer applied just before may have ended the run.
        const run = batch.users.get(runs.get(h.runId)?.userId ?? '')?.activeRuns.find((r) => r.runId === h.runId)
        if (entry !== undefined && h.runId === heldTriggerKey(journeyId)) batch.applyHeldTrigger(journeyId, entry)
        else if (entry !== undefined && run) batch.applyHeld(run, entry)
        else batch.commit.heldReleased.push({ runId: h.runId, seq: h.seq })
      }
      // At the same moment a timer goes first: its deadline had passed when the event arrived.
      steps.push({ at: entry?.receivedAt ?? 0, order: timers.length + i, apply })
    })
    steps.sort((a, b) => a.at - b.at || a.order - b.order)
    for (const s of steps) s.apply()
    await ctx.commit(batch.finish(null))
  }
}
