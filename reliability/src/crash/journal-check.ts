import { openReadDb } from './db'
import type { Plan } from './plan'

export interface JournalFigures {
  stored: number
  ackedIds: number
  /** Acknowledged but not in the journal. Must be 0. */
  lost: string[]
  /** The same messageId in more than one journal row. Must be 0. */
  storedTwice: string[]
  /** Stored ids the plan never sent. */
  strangers: string[]
  /** Users whose journal order differs from the order their events were sent in. */
  reordered: string[]
}

export async function checkJournal(target: string, plan: Plan, acked: ReadonlySet<string>): Promise<JournalFigures> {
  const db = openReadDb(target)
  try {
    const rows = await db.all<{ message_id: string; user_id: string }>('SELECT message_id, user_id FROM journal ORDER BY seq')
    const counts = new Map<string, number>()
    const order = new Map<string, string[]>()
    for (const r of rows) {
      counts.set(r.message_id, (counts.get(r.message_id) ?? 0) + 1)
      const list = order.get(r.user_id) ?? []
      list.push(r.message_id)
      order.set(r.user_id, list)
    }
    const reordered: string[] = []
    for (const [user, events] of plan.perUser) {
      const seen = new Set<string>()
      const expected = events.filter((e) => !seen.has(e.messageId) && seen.add(e.messageId)).map((e) => e.messageId)
      if ((order.get(user) ?? []).join() !== expected.join()) reordered.push(user)
    }
    return {
      stored: rows.length,
      ackedIds: acked.size,
      lost: [...acked].filter((id) => !counts.has(id)),
      storedTwice: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
      strangers: [...counts.keys()].filter((id) => !plan.messageIds.has(id) && !id.startsWith('sent:')),
      reordered,
    }
  } finally {
    await db.close()
  }
}
