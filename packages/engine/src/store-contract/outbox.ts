import { beforeEach, describe, expect, it } from 'vitest'
import type { HistoryRecord } from '../records'
import type { EngineStore } from '../store'
import type { ContractSection, ContractStore } from '../store-contract'
import { T0, MIN, journey, runOf, hist, outbox } from './fixtures'

/** The outbox: claims, deferrals, settlement, and claims between processes. */
export function outboxContract({ current, commit, runsMap }: ContractSection): void {
  describe('outbox', () => {
    let s: EngineStore
    let cs: ContractStore
    beforeEach(() => {
      cs = current()
      s = cs.store
    })
    /** A relay batch's settlement with no journal events, as the journal writer hands it to the store. */
    const settle = (complete: string[], defer: { id: string; availableAt: number }[], history: HistoryRecord[]) => s.appendEventGroups([], { complete, defer, history, joined: [] })

    it('claims rows of one kind whose time has come, oldest first, and stores a row id once', async () => {
      await commit({ outbox: [outbox('m1', 'message', 'ann'), outbox('w1', 'webhook', 'ann'), outbox('m2', 'message', 'bob')] })
      await commit({ outbox: [outbox('m1', 'message', 'ann')] })
      expect(await s.outboxPending()).toBe(3)
      const claims = await s.claimOutbox('message', 10, T0)
      expect(claims.map((c) => [c.id, c.kind, c.attempts])).toEqual([
        ['m1', 'message', 0],
        ['m2', 'message', 0],
      ])
      expect(claims[0]?.job).toEqual(outbox('m1', 'message', 'ann').job)
      expect((await s.claimOutbox('webhook', 10, T0)).map((c) => c.id)).toEqual(['w1'])
      expect((await s.claimOutbox('message', 1, T0)).map((c) => c.id)).toEqual(['m1'])
    })

    it('completes rows for good, and defers one until its time with the attempt counted and its history written', async () => {
      await s.insertJourney(journey('j1'))
      await commit({ runs: runsMap(runOf('r1', 'j1', 'ann')), outbox: [outbox('m1', 'message', 'ann'), outbox('m2', 'message', 'ann'), outbox('m3', 'message', 'ann')] })
      await s.claimOutbox('message', 10, T0)
      await s.completeOutbox(['m1'])
      await s.completeOutbox([])
      await s.deferOutbox('m2', T0 + 10 * MIN, hist('r1', 'j1', 'message', T0))
      expect((await s.claimOutbox('message', 10, T0)).map((c) => c.id)).toEqual(['m3'])
      expect((await s.claimOutbox('message', 10, T0 + 10 * MIN - 1)).map((c) => c.id)).toEqual(['m3'])
      const due = await s.claimOutbox('message', 10, T0 + 10 * MIN)
      // m3 became available at 0, m2 at its deferral: soonest available first.
      expect(due.map((c) => [c.id, c.attempts])).toEqual([
        ['m3', 0],
        ['m2', 1],
      ])
      expect((await s.runsOf('j1', 'ann'))[0]?.history.map((h) => h.kind)).toEqual(['message'])
      expect(await s.outboxPending()).toBe(2)
    })

    it('settles a batch in one transaction: completions, deferrals and their history', async () => {
      await s.insertJourney(journey('j1'))
      await commit({ runs: runsMap(runOf('r1', 'j1', 'ann')), outbox: [outbox('m1', 'message', 'ann'), outbox('m2', 'message', 'ann'), outbox('m3', 'message', 'ann')] })
      await s.claimOutbox('message', 10, T0)
      await settle(['m1', 'm3'], [{ id: 'm2', availableAt: T0 + MIN }], [hist('r1', 'j1', 'message', T0), hist('r1', 'j1', 'webhook', T0 + 1)])
      expect(await s.outboxPending()).toBe(1)
      expect(await s.claimOutbox('message', 10, T0)).toEqual([])
      expect((await s.claimOutbox('message', 10, T0 + MIN)).map((c) => [c.id, c.attempts])).toEqual([['m2', 1]])
      expect((await s.runsOf('j1', 'ann'))[0]?.history.map((h) => h.kind)).toEqual(['message', 'webhook'])
      await settle([], [], [])
      expect(await s.outboxPending()).toBe(1)
    })

    it('answers when the soonest row of either kind falls due, null when the outbox is empty', async () => {
      expect(await s.nextOutboxDue()).toBeNull()
      await commit({ outbox: [outbox('m1', 'message', 'ann'), outbox('w1', 'webhook', 'bob')] })
      const [m1, w1] = [...(await s.claimOutbox('message', 10, T0)), ...(await s.claimOutbox('webhook', 10, T0))]
      await settle([], [{ id: m1!.id, availableAt: T0 + 5000 }, { id: w1!.id, availableAt: T0 + 3000 }], [])
      expect(await s.nextOutboxDue()).toBe(T0 + 3000)
      await settle([w1!.id], [], [])
      expect(await s.nextOutboxDue()).toBe(T0 + 5000)
    })

    it('hands a store its own unsettled claims again (its dispatcher knows what is in flight)', async () => {
      await commit({ outbox: [outbox('m1', 'message', 'ann')] })
      expect((await s.claimOutbox('message', 10, T0)).map((c) => c.id)).toEqual(['m1'])
      expect((await s.claimOutbox('message', 10, T0 + 1)).map((c) => c.id)).toEqual(['m1'])
    })

    it('keeps a claimed row from another process until settled or its lease ends, and concurrent claims apart', async ({ skip }) => {
      if (!cs.peer) return skip()
      const other = await cs.peer.open()
      const rows = Array.from({ length: 40 }, (_, i) => outbox(`m${String(i).padStart(2, '0')}`, 'message', `u${i}`))
      await commit({ outbox: rows })
      const [a, b] = await Promise.all([s.claimOutbox('message', 25, T0), other.claimOutbox('message', 25, T0)])
      const ids = [...a!, ...b!].map((c) => c.id)
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids).toHaveLength(40)
      // Settled rows are gone; deferred ones are free for anyone once due.
      await settle([a![0]!.id], [{ id: a![1]!.id, availableAt: T0 + 1 }], [])
      const mine = new Set(a!.slice(2).map((c) => c.id))
      const later = await other.claimOutbox('message', 100, T0 + 1)
      expect(later.map((c) => c.id).filter((id) => mine.has(id))).toEqual([])
      expect(later.map((c) => c.id)).toContain(a![1]!.id)
      const afterLease = await other.claimOutbox('message', 100, T0 + cs.peer.claimLeaseMs)
      expect(afterLease).toHaveLength(39)
      await other.close()
    })
  })
}
