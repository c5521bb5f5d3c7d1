import { beforeEach, describe, expect, it } from 'vitest'
import type { EngineStore } from '../store'
import type { RetentionPolicy } from '../retention'
import type { ContractSection, ContractStore } from '../store-contract'
import { T0, DAY, ev, runOf, hist, watch } from './fixtures'

/** Retention passes. */
export function retentionContract({ current, commit, runsMap }: ContractSection): void {
  describe('retention', () => {
    let s: EngineStore
    let cs: ContractStore
    beforeEach(() => {
      cs = current()
      s = cs.store
    })

    const policy: RetentionPolicy = { journalMs: DAY, historyMs: 7 * DAY, dedupeWindowMs: 3 * DAY }

    it('deletes applied journal rows past the window, keeping unapplied, held and the newest, and still refuses their message ids', async () => {
      const events = Array.from({ length: 6 }, (_, i) => ({ ...ev(`u${i}`, `old${i}`), receivedAt: T0 + i }))
      const [r] = await s.appendEventGroups([events])
      const seqs = r!.stored.map((e) => e.seq)
      await commit({ appliedSeq: seqs[3]!, held: [{ runId: 'r1', journeyId: 'j1', seq: seqs[1]! }] })
      const pass = await cs.retention(policy).run(T0 + 2 * DAY)
      // seq 0, 2 and 3 go: 1 is held, 4 and 5 are not applied yet.
      expect(pass.journalRows).toBe(3)
      expect(pass.dedupeKeysKept).toBe(3)
      expect((await s.readJournal(0, 10)).map((e) => e.messageId)).toEqual(['old1', 'old4', 'old5'])
      const again = await s.appendEventGroups([[ev('u0', 'old0'), ev('u9', 'new')]])
      expect(again[0]).toMatchObject({ accepted: 1, duplicates: 1 })
      // Past the dedupe window the key goes too.
      const later = await cs.retention(policy).run(T0 + 4 * DAY)
      expect(later.dedupeKeysPruned).toBe(3)
      expect((await s.appendEventGroups([[ev('u0', 'old0')]]))[0]?.accepted).toBe(1)
    })

    it('keeps every journal row received since the earliest open goal window began', async () => {
      const [r] = await s.appendEventGroups([Array.from({ length: 4 }, (_, i) => ({ ...ev(`u${i}`, `g${i}`), receivedAt: T0 + i * DAY }))])
      const seqs = r!.stored.map((e) => e.seq)
      await commit({ appliedSeq: seqs[3]!, goalWatchesSet: [{ ...watch('r1', 'j1', 'ann'), enteredAt: T0 + DAY, deadline: T0 + 30 * DAY }] })
      const pass = await cs.retention(policy).run(T0 + 10 * DAY)
      expect(pass.journalRows).toBe(1)
      expect((await s.readJournal(0, 10)).map((e) => e.messageId)).toEqual(['g1', 'g2', 'g3'])
    })

    it('deletes ended runs with their history past the window, never active runs, and keeps who entered', async () => {
      await commit({
        runs: runsMap(runOf('ended', 'j1', 'ann', { status: 'completed', endedAt: T0 }), runOf('recent', 'j1', 'bob', { status: 'exited', endedAt: T0 + 7 * DAY }), runOf('active', 'j1', 'carl')),
        history: [hist('ended', 'j1', 'entered', T0), hist('ended', 'j1', 'completed', T0), hist('recent', 'j1', 'entered', T0), hist('active', 'j1', 'entered', T0)],
        entered: [{ userId: 'ann', journeyId: 'j1' }],
      })
      const pass = await cs.retention(policy).run(T0 + 7 * DAY + 1)
      expect([pass.runs, pass.historyRows]).toEqual([1, 2])
      expect((await s.loadRuns(['ended', 'recent', 'active'])).size).toBe(2)
      expect((await s.historyPage('active', { afterId: 0, limit: 10 })).length).toBe(1)
      expect([...((await s.loadUsers(['ann'])).get('ann')?.enteredJourneys ?? [])]).toEqual(['j1'])
      expect((await cs.retention(policy).run(T0 + 7 * DAY + 1)).runs).toBe(0)
    })
  })
}
