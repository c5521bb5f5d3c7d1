import { beforeEach, describe, expect, it } from 'vitest'
import type { IngestedEvent } from '@switchyard/schema'
import type { EngineStore } from '../store'
import type { ContractSection, ContractStore } from '../store-contract'
import { T0, AWKWARD, DAY, ev, journey, version, runOf, hist, timer, counter, watch, outbox, sortBy, plain } from './fixtures'

/** The journal (each message id once, in order, read back whole) and the batch commit. */
export function journalContract({ current, commit, runsMap }: ContractSection): void {
  describe('journal', () => {
    let s: EngineStore
    let cs: ContractStore
    beforeEach(() => {
      cs = current()
      s = cs.store
    })

    it('stores each message id once, across groups, within a group and against earlier calls, with counts per group', async () => {
      const first = await s.appendEventGroups([[ev('ann', 'a1'), ev('bob', 'b1'), ev('ann', 'a1')], [ev('carl', 'c1'), ev('bob', 'b1')]])
      expect(first.map((r) => [r.accepted, r.duplicates])).toEqual([
        [2, 1],
        [1, 1],
      ])
      const second = await s.appendEventGroups([[ev('ann', 'a1'), ev('dan', 'd1')], []])
      expect(second.map((r) => [r.accepted, r.duplicates])).toEqual([
        [1, 1],
        [0, 0],
      ])
      const journal = await s.readJournal(0, 100)
      expect(journal.map((e) => e.messageId)).toEqual(['a1', 'b1', 'c1', 'd1'])
      // Duplicates take no sequence number: the engine hands contiguous entries over from memory.
      expect(journal.map((e) => e.seq - journal[0]!.seq)).toEqual([0, 1, 2, 3])
      expect(await s.appendEventGroups([])).toEqual([])
    })

    it('gives back the stored events exactly as a read returns them, in arrival order with growing sequence numbers', async () => {
      const e = { ...ev('ann', 'x1'), properties: { total: 12.5, items: ['a'] }, context: { ip: '1.2.3.4' } }
      const id: IngestedEvent = { messageId: 'x2', type: 'identify', userId: 'ann', traits: { plan: 'pro' }, timestamp: T0 + 1, receivedAt: T0 + 2 }
      const [r] = await s.appendEventGroups([[e, id]])
      const read = await s.readJournal(0, 10)
      expect(plain(r?.stored)).toEqual(plain(read))
      expect(read[0]).toMatchObject({ messageId: 'x1', type: 'track', userId: 'ann', event: 'Signed Up', properties: { total: 12.5, items: ['a'] }, context: { ip: '1.2.3.4' } })
      expect(read[1]).toMatchObject({ messageId: 'x2', type: 'identify', traits: { plan: 'pro' }, timestamp: T0 + 1, receivedAt: T0 + 2 })
      expect(read[1]!.seq).toBeGreaterThan(read[0]!.seq)
    })

    it('reads after a sequence number with a limit, reads chosen sequence numbers in order, and reports the head', async () => {
      expect(await s.journalHead()).toBe(0)
      expect(await s.readJournal(0, 10)).toEqual([])
      const [r] = await s.appendEventGroups([Array.from({ length: 5 }, (_, i) => ev(`u${i}`, `m${i}`))])
      const seqs = r!.stored.map((e) => e.seq)
      expect(await s.journalHead()).toBe(seqs[4])
      expect((await s.readJournal(seqs[1]!, 2)).map((e) => e.messageId)).toEqual(['m2', 'm3'])
      expect((await s.readJournalSeqs([seqs[4]!, seqs[0]!, seqs[2]!])).map((e) => e.messageId)).toEqual(['m0', 'm2', 'm4'])
      expect(await s.readJournalSeqs([])).toEqual([])
    })

    it('lets a reader that follows the journal while two processes append see every row, in sequence order', async ({ skip }) => {
      if (!cs.peer) return skip()
      const other = await cs.peer.open()
      let appending = true
      const seen: number[] = []
      const follow = async () => {
        let cursor = 0
        for (;;) {
          const last = !appending
          const rows = await s.readJournal(cursor, 1000)
          for (const row of rows) seen.push((cursor = row.seq))
          if (last && rows.length === 0) return
        }
      }
      const reader = follow()
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? s : other).appendEventGroups([Array.from({ length: 5 }, (_, k) => ev(`u${k}`, `p${i}-${k}`))])),
      )
      appending = false
      await reader
      expect(seen).toHaveLength(200)
      expect(seen).toEqual([...seen].sort((a, b) => a - b))
      await other.close()
    })

    it('keeps the applied cursor with the commit that moves it', async () => {
      expect(await s.appliedSeq()).toBe(0)
      await commit({ appliedSeq: 7 })
      expect(await s.appliedSeq()).toBe(7)
      await commit({ appliedSeq: null })
      expect(await s.appliedSeq()).toBe(7)
    })
  })

  describe('commit', () => {
    let s: EngineStore
    beforeEach(() => {
      s = current().store
    })

    it('writes users, runs, history, timers, outbox, counters, goal watches and entries together', async () => {
      await s.insertJourney(journey('j1'))
      const run = runOf('r1', 'j1', 'ann')
      await commit({
        appliedSeq: 3,
        users: new Map([['ann', { userId: 'ann', traits: { plan: 'pro' } }]]),
        runs: runsMap(run),
        history: [hist('r1', 'j1', 'entered', T0), { ...hist('r1', 'j1', 'message', T0 + 1), detail: AWKWARD }],
        timersSet: [timer('r1', 'w', 'j1', 'ann', T0 + DAY)],
        outbox: [outbox('o1', 'message', 'ann')],
        counters: [counter('j1', 't', 'entered', 1)],
        entered: [{ userId: 'ann', journeyId: 'j1' }],
        goalWatchesSet: [watch('r1', 'j1', 'ann')],
      })
      expect(await s.getUser('ann')).toEqual({ userId: 'ann', traits: { plan: 'pro' } })
      const bytes = (await s.profileBytes(['ann', 'bob'])).get('ann') ?? 0
      expect([...(await s.profileBytes(['ann', 'bob'])).keys()]).toEqual(['ann'])
      expect(bytes).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify({ plan: 'pro' })))
      expect(bytes).toBeLessThan(64)
      expect((await s.profileBytes([])).size).toBe(0)
      expect((await s.loadRuns(['r1'])).get('r1')).toEqual(run)
      const history = (await s.runsOf('j1', 'ann'))[0]?.history
      expect(history?.map((h) => h.kind)).toEqual(['entered', 'message'])
      expect(history?.[1]?.detail).toEqual(AWKWARD)
      expect(await s.pendingTimerCount()).toBe(1)
      expect(await s.outboxPending()).toBe(1)
      expect(await s.counters('j1')).toEqual([counter('j1', 't', 'entered', 1)])
      const ann = (await s.loadUsers(['ann'])).get('ann')
      expect(ann?.goalWatches).toEqual([watch('r1', 'j1', 'ann')])
      expect([...(ann?.enteredJourneys ?? [])]).toEqual(['j1'])
    })

    it('leaves nothing of a commit that fails', async () => {
      const failing = commit({
        appliedSeq: 9,
        users: new Map([['ann', { userId: 'ann', traits: { a: 1 } }]]),
        runs: runsMap(runOf('r1', 'j1', 'ann')),
        history: [hist('r1', 'j1', 'entered', T0)],
        timersSet: [timer('r1', 'w', 'j1', 'ann', T0)],
        outbox: [outbox('o1', 'message', 'ann')],
        // Not a count: the counters' write fails, after runs, history, outbox and timers went in the same transaction.
        counters: [counter('j1', 't', 'entered', Number.NaN)],
      })
      await expect(failing).rejects.toThrow()
      // A version already published fails its commit too.
      const j = journey('j1')
      await s.insertJourney(j)
      await s.insertVersion(version('j1', 1), { ...j, version: 1 })
      await expect(commit({ appliedSeq: 9, runs: runsMap(runOf('r1', 'j1', 'ann')), version: { record: version('j1', 1), journey: { ...j, version: 1 } } })).rejects.toThrow()
      expect(await s.appliedSeq()).toBe(0)
      expect(await s.getUser('ann')).toBeNull()
      expect((await s.loadRuns(['r1'])).size).toBe(0)
      expect(await s.pendingTimerCount()).toBe(0)
      expect(await s.outboxPending()).toBe(0)
      expect(await s.counters('j1')).toEqual([])
    })

    it('publishes a version in the same commit as the runs it migrates', async () => {
      const j = journey('j1')
      await s.insertJourney(j)
      await commit({ runs: runsMap(runOf('r1', 'j1', 'ann', { version: 2 })), version: { record: version('j1', 2), journey: { ...j, version: 2 } } })
      expect((await s.getJourney('j1'))?.version).toBe(2)
      expect((await s.getVersion('j1', 2))?.hash).toBe('hash-2')
    })

    it('sums counters, including repeats of one key in a commit, and filters them by version', async () => {
      await commit({ counters: [counter('j1', 't', 'entered', 2), counter('j1', 't', 'entered', 3), counter('j1', 't', 'entered', 1, 2)] })
      await commit({ counters: [counter('j1', 't', 'entered', 4)] })
      expect(sortBy(await s.counters('j1'), (c) => `${c.version}`)).toEqual([counter('j1', 't', 'entered', 9), counter('j1', 't', 'entered', 1, 2)])
      expect(await s.counters('j1', 2)).toEqual([counter('j1', 't', 'entered', 1, 2)])
      expect(await s.counters('other')).toEqual([])
    })
  })
}
