import type { Batch } from './batch'
import type { JourneyCatalog } from './catalog'
import type { JournalEntry } from './records'

/** What applying a batch of journal entries came to, for the engine to commit. */
export type AppliedEntries =
  /** `consumed` are applied in `batch` (those nothing hears consumed without effect). */
  | { kind: 'applied'; consumed: JournalEntry[]; batch: Batch }
  /** The first entry failed on its own, from the stored state: it is to be set aside. */
  | { kind: 'setAside'; entry: JournalEntry; error: unknown }

/**
 * Applies journal entries in a batch of their users. Track events nothing loaded hears (page
 * views, a sent report no wait is for) change no state: they are consumed without loading their
 * users. When applying throws, the batch is dropped (the catalog's counts are read again) and the
 * entries before the failing one are applied on their own; the failing one then comes first in
 * the next batch, from their committed state, where it may well apply. Failing first in its
 * batch, retrying cannot help and would stop every user behind it: it is answered as set aside.
 */
export async function applyEntries(entries: JournalEntry[], catalog: JourneyCatalog, batchFor: (userIds: string[]) => Promise<Batch>): Promise<AppliedEntries> {
  const acting = entries.filter((e) => e.type !== 'track' || e.event === undefined || catalog.mayAct(e.event))
  const batch = await batchFor(acting.map((e) => e.userId))
  const failed = applyEach(batch, acting)
  if (failed === null) return { kind: 'applied', consumed: entries, batch }
  await catalog.reload()
  const bad = acting[failed.index] as JournalEntry
  if (entries[0] === bad) return { kind: 'setAside', entry: bad, error: failed.error }
  const before = acting.slice(0, failed.index)
  const again = await batchFor(before.map((e) => e.userId))
  const refailed = applyEach(again, before)
  if (refailed !== null) throw refailed.error
  return { kind: 'applied', consumed: entries.slice(0, entries.indexOf(bad)), batch: again }
}

/** Applies each entry in order; answers the first that threw, and its error. */
function applyEach(batch: Batch, entries: readonly JournalEntry[]): { index: number; error: unknown } | null {
  for (let i = 0; i < entries.length; i++) {
    try {
      batch.applyEvent(entries[i] as JournalEntry)
    } catch (error) {
      return { index: i, error }
    }
  }
  return null
}
