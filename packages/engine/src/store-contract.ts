import { beforeEach, describe, expect, it } from 'vitest'
import type { IngestedEvent, OutboxJob } from '@switchyard/schema'
import type { GoalWatch, HistoryRecord, JourneyRecord, JourneyVersionRecord, OutboxRecord, RunRecord, TimerRecord } from './records'
import type { Retention, RetentionPolicy } from './retention'
import { emptyCommit, type EngineCommit, type EngineStore } from './store'

/** A fresh, empty store of one backend, for one test. */
export interface ContractStore {
  store: EngineStore
  retention(policy: RetentionPolicy): Retention
  /**
   * A second store on the same database, as another process would open it; only for backends
   * that several processes share, with how long a claim keeps an outbox row from other processes.
   */
  peer?: { open(): Promise<EngineStore>; claimLeaseMs: number }
}

const T0 = Date.UTC(2026, 0, 1)
/** Text that array literals and JSON both escape: quotes, backslashes, braces, commas, non-ASCII, an escaped NUL. */
const AWKWARD = { text: 'a "quoted" \\ back\\slash, {brace} é 😀 \\u0000 NULL', nested: { list: ['"', '\\', ''] } }
const MIN = 60_000
const DAY = 86_400_000

/**
 * The behaviour every `EngineStore` owes the engine, as tests: register them once per backend
 * (`engineStoreContract('sqlite', open)`). `open` is called before each test and must give an
 * empty store.
 */
export function engineStoreContract(name: string, open: () => Promise<ContractStore>): void {
  describe(`EngineStore contract: ${name}`, () => {
    let s: EngineStore
    let cs: ContractStore
    beforeEach(async () => {
      cs = await open()
      s = cs.store
    })

    const commit = (parts: Partial<EngineCommit>) => s.commit({ ...emptyCommit(), ...parts })
    const runsMap = (...runs: RunRecord[]) => new Map(runs.map((r) => [r.runId, r]))

    describe('journal', () => {
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

    describe('users and runs', () => {
      it('loads each asked user, with traits, active runs only, entered journeys and goal watches', async () => {
        await commit({
          users: new Map([['ann', { userId: 'ann', traits: { tier: 1 } }]]),
          runs: runsMap(runOf('r1', 'j1', 'ann'), runOf('r2', 'j2', 'ann', { status: 'completed', endedAt: T0 + 5 }), runOf('r3', 'j1', 'bob')),
          entered: [
            { userId: 'ann', journeyId: 'j1' },
            { userId: 'ann', journeyId: 'j2' },
            { userId: 'ann', journeyId: 'j2' },
          ],
          goalWatchesSet: [watch('r1', 'j1', 'ann'), watch('r3', 'j1', 'bob')],
        })
        await commit({ goalWatchesCleared: ['r3'], goalWatchesSet: [{ ...watch('r1', 'j1', 'ann'), outlets: { s: 'a' } }] })
        const users = await s.loadUsers(['ann', 'bob', 'nobody'])
        expect([...users.keys()]).toEqual(['ann', 'bob', 'nobody'])
        const ann = users.get('ann')!
        expect(ann.traits).toEqual({ tier: 1 })
        expect(ann.activeRuns.map((r) => r.runId)).toEqual(['r1'])
        expect([...ann.enteredJourneys].sort()).toEqual(['j1', 'j2'])
        expect(ann.goalWatches).toEqual([{ ...watch('r1', 'j1', 'ann'), outlets: { s: 'a' } }])
        expect(users.get('bob')?.goalWatches).toEqual([])
        expect(users.get('nobody')).toEqual({ userId: 'nobody', traits: {}, activeRuns: [], enteredJourneys: new Set(), goalWatches: [] })
        expect((await s.loadUsers([])).size).toBe(0)
      })

      it('loads runs by id, updates them in place, and keeps a user upsert to the latest traits', async () => {
        await commit({ runs: runsMap(runOf('r1', 'j1', 'ann'), runOf('r2', 'j1', 'bob')), users: new Map([['ann', { userId: 'ann', traits: { a: 1 } }]]) })
        const moved = runOf('r1', 'j1', 'ann', { currentNodeId: 'w2', stateKey: '"w2"', waitingUntil: T0 + DAY })
        await commit({ runs: runsMap(moved), users: new Map([['ann', { userId: 'ann', traits: { a: 2 } }]]) })
        const runs = await s.loadRuns(['r1', 'r2', 'missing'])
        expect([...runs.keys()].sort()).toEqual(['r1', 'r2'])
        expect(runs.get('r1')).toEqual(moved)
        expect((await s.getUser('ann'))?.traits).toEqual({ a: 2 })
        expect(await s.getUser('bob')).toBeNull()
        expect((await s.loadRuns([])).size).toBe(0)
      })
    })

    describe('timers', () => {
      it('gives due timers of live journeys soonest first, up to the limit, and the next due time', async () => {
        await s.insertJourney(journey('live'))
        await s.insertJourney(journey('paused', 'paused'))
        await commit({
          timersSet: [
            timer('r1', 'w', 'live', 'ann', T0 + 30),
            timer('r2', 'w', 'live', 'bob', T0 + 10),
            timer('r3', 'w', 'live', 'carl', T0 + 20),
            timer('r4', 'w', 'paused', 'dan', T0 + 5),
            timer('r5', 'w', 'live', 'eve', T0 + 100),
          ],
        })
        expect((await s.dueTimers(T0 + 30, 10)).map((t) => t.runId)).toEqual(['r2', 'r3', 'r1'])
        expect((await s.dueTimers(T0 + 30, 2)).map((t) => t.runId)).toEqual(['r2', 'r3'])
        expect(await s.dueTimers(T0, 10)).toEqual([])
        expect(await s.nextTimerDue()).toBe(T0 + 10)
        expect(await s.pendingTimerCount()).toBe(5)
        expect(await s.dueTimersOf('paused', T0 + 30, 10)).toEqual([timer('r4', 'w', 'paused', 'dan', T0 + 5)])
      })

      it('moves a timer set again, clears cleared ones, and has no next due time without live timers', async () => {
        await s.insertJourney(journey('live'))
        expect(await s.nextTimerDue()).toBeNull()
        await commit({ timersSet: [timer('r1', 'w', 'live', 'ann', T0 + 10), timer('r1', 'w', 'live', 'ann', T0 + 50), timer('r2', 'w', 'live', 'bob', T0 + 20)] })
        expect(await s.nextTimerDue()).toBe(T0 + 20)
        await commit({ timersCleared: [{ runId: 'r2', nodeId: 'w' }], timersSet: [timer('r1', 'w', 'live', 'ann', T0 + 40)] })
        expect(await s.dueTimers(T0 + 100, 10)).toEqual([timer('r1', 'w', 'live', 'ann', T0 + 40)])
        await commit({ timersCleared: [{ runId: 'r1', nodeId: 'w' }] })
        expect(await s.nextTimerDue()).toBeNull()
        expect(await s.pendingTimerCount()).toBe(0)
      })
    })

    describe('outbox', () => {
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

      it('settles a batch in one call: completions, deferrals and their history', async () => {
        await s.insertJourney(journey('j1'))
        await commit({ runs: runsMap(runOf('r1', 'j1', 'ann')), outbox: [outbox('m1', 'message', 'ann'), outbox('m2', 'message', 'ann'), outbox('m3', 'message', 'ann')] })
        await s.claimOutbox('message', 10, T0)
        await s.settleOutbox(['m1', 'm3'], [{ id: 'm2', availableAt: T0 + MIN }], [hist('r1', 'j1', 'message', T0), hist('r1', 'j1', 'webhook', T0 + 1)])
        expect(await s.outboxPending()).toBe(1)
        expect(await s.claimOutbox('message', 10, T0)).toEqual([])
        expect((await s.claimOutbox('message', 10, T0 + MIN)).map((c) => [c.id, c.attempts])).toEqual([['m2', 1]])
        expect((await s.runsOf('j1', 'ann'))[0]?.history.map((h) => h.kind)).toEqual(['message', 'webhook'])
        await s.settleOutbox([], [], [])
        expect(await s.outboxPending()).toBe(1)
      })

      it('answers when the soonest row of either kind falls due, null when the outbox is empty', async () => {
        expect(await s.nextOutboxDue()).toBeNull()
        await commit({ outbox: [outbox('m1', 'message', 'ann'), outbox('w1', 'webhook', 'bob')] })
        const [m1, w1] = [...(await s.claimOutbox('message', 10, T0)), ...(await s.claimOutbox('webhook', 10, T0))]
        await s.settleOutbox([], [{ id: m1!.id, availableAt: T0 + 5000 }, { id: w1!.id, availableAt: T0 + 3000 }], [])
        expect(await s.nextOutboxDue()).toBe(T0 + 3000)
        await s.settleOutbox([w1!.id], [], [])
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
        await s.settleOutbox([a![0]!.id], [{ id: a![1]!.id, availableAt: T0 + 1 }], [])
        const mine = new Set(a!.slice(2).map((c) => c.id))
        const later = await other.claimOutbox('message', 100, T0 + 1)
        expect(later.map((c) => c.id).filter((id) => mine.has(id))).toEqual([])
        expect(later.map((c) => c.id)).toContain(a![1]!.id)
        const afterLease = await other.claimOutbox('message', 100, T0 + cs.peer.claimLeaseMs)
        expect(afterLease).toHaveLength(39)
        await other.close()
      })
    })

    describe('journeys', () => {
      it('inserts, updates, lists newest first and reads journeys; versions in order; published ones with their latest version', async () => {
        const a = journey('a', 'draft', T0)
        const b = journey('b', 'live', T0 + 1)
        await s.insertJourney(a)
        await s.insertJourney(b)
        await s.updateJourney({ ...a, name: 'renamed', updatedAt: T0 + 5 })
        expect((await s.listJourneys()).map((j) => j.id)).toEqual(['b', 'a'])
        expect(await s.getJourney('a')).toEqual({ ...a, name: 'renamed', updatedAt: T0 + 5 })
        expect(await s.getJourney('missing')).toBeNull()
        expect(await s.publishedJourneys()).toEqual([])
        await s.insertVersion(version('b', 1), { ...b, version: 1 })
        await s.insertVersion(version('b', 2), { ...b, version: 2 })
        expect((await s.listVersions('b')).map((v) => v.version)).toEqual([1, 2])
        expect(await s.getVersion('b', 1)).toEqual(version('b', 1))
        expect(await s.getVersion('b', 3)).toBeNull()
        expect(await s.publishedJourneys()).toEqual([{ journey: { ...b, version: 2 }, latest: version('b', 2) }])
      })

      it('deletes a journey with everything of it and nothing of another', async () => {
        for (const id of ['j1', 'j2']) {
          await s.insertJourney(journey(id))
          await commit({
            runs: runsMap(runOf(`r-${id}`, id, 'ann')),
            history: [hist(`r-${id}`, id, 'entered', T0)],
            timersSet: [timer(`r-${id}`, 'w', id, 'ann', T0)],
            counters: [counter(id, 't', 'entered', 1)],
            held: [{ runId: `r-${id}`, journeyId: id, seq: 1 }],
            entered: [{ userId: 'ann', journeyId: id }],
            goalWatchesSet: [watch(`r-${id}`, id, 'ann')],
          })
        }
        await s.deleteJourney('j1')
        expect(await s.getJourney('j1')).toBeNull()
        expect(await s.runsOf('j1', 'ann')).toEqual([])
        expect(await s.counters('j1')).toEqual([])
        expect(await s.heldEvents('j1', 10)).toEqual([])
        expect(await s.dueTimers(T0, 10)).toEqual([timer('r-j2', 'w', 'j2', 'ann', T0)])
        const ann = (await s.loadUsers(['ann'])).get('ann')!
        expect([...ann.enteredJourneys]).toEqual(['j2'])
        expect(ann.goalWatches.map((w) => w.runId)).toEqual(['r-j2'])
        expect(await s.runsOf('j2', 'ann')).toHaveLength(1)
      })
    })

    describe('inspection', () => {
      it('pages a user’s runs newest first and a run’s history oldest first', async () => {
        await commit({
          runs: runsMap(runOf('r1', 'j1', 'ann', { startedAt: T0 }), runOf('r2', 'j1', 'ann', { startedAt: T0 + 10 }), runOf('r3', 'j1', 'ann', { startedAt: T0 + 10 }), runOf('r4', 'j1', 'bob')),
          history: Array.from({ length: 5 }, (_, i) => hist('r1', 'j1', 'event', T0 + i)),
        })
        const first = await s.runsPage('j1', 'ann', { limit: 2 })
        expect(first.map((r) => r.runId)).toEqual(['r3', 'r2'])
        const last = first[1]!
        expect((await s.runsPage('j1', 'ann', { before: { startedAt: last.startedAt, runId: last.runId }, limit: 2 })).map((r) => r.runId)).toEqual(['r1'])
        const h1 = await s.historyPage('r1', { afterId: 0, limit: 3 })
        expect(h1.map((h) => h.record.at)).toEqual([T0, T0 + 1, T0 + 2])
        const h2 = await s.historyPage('r1', { afterId: h1[2]!.id, limit: 3 })
        expect(h2.map((h) => h.record.at)).toEqual([T0 + 3, T0 + 4])
        expect((await s.runsOf('j1', 'ann')).map((r) => [r.runId, r.history.length])).toEqual([
          ['r3', 0],
          ['r2', 0],
          ['r1', 5],
        ])
      })

      it('lists a journey’s users by prefix, most recent first, with their run count and latest run', async () => {
        await commit({
          runs: runsMap(
            runOf('r1', 'j1', 'user-1', { status: 'completed', endedAt: T0 + 50 }),
            runOf('r2', 'j1', 'user-1', { currentNodeId: 'w' }),
            runOf('r3', 'j1', 'user-2', { startedAt: T0 + 100 }),
            runOf('r4', 'j1', 'other'),
            runOf('r5', 'j2', 'user-3'),
          ),
        })
        const users = await s.usersOf('j1', { prefix: 'user-', limit: 10 })
        expect(users.map((u) => [u.userId, u.runs])).toEqual([
          ['user-2', 1],
          ['user-1', 2],
        ])
        expect(users[1]).toMatchObject({ status: 'active', currentNodeId: 'w', lastActivityAt: T0 + 50 })
        expect((await s.usersOf('j1', { limit: 10 })).map((u) => u.userId).sort()).toEqual(['other', 'user-1', 'user-2'])
        expect(await s.usersOf('j1', { limit: 1 })).toHaveLength(1)
        expect(await s.usersOf('j1', { prefix: 'zzz', limit: 10 })).toEqual([])
      })

      it('counts active runs per journey and per version and node, and lists a journey’s active runs', async () => {
        await commit({
          runs: runsMap(
            runOf('r1', 'j1', 'a', { currentNodeId: 'w' }),
            runOf('r2', 'j1', 'b', { currentNodeId: 'w' }),
            runOf('r3', 'j1', 'c', { currentNodeId: 'w', version: 2, startedAt: T0 - 1 }),
            runOf('r4', 'j1', 'd', { status: 'exited', endedAt: T0 }),
            runOf('r5', 'j2', 'e'),
          ),
          counters: [counter('j1', 'w', 'entered', 3), counter('j1', 'w', 'outlet:matched', 1)],
        })
        expect(Object.fromEntries(await s.activeTotals())).toEqual({ j1: 3, j2: 1 })
        expect(sortBy(await s.activeCounts('j1'), (a) => `${a.version}`)).toEqual([
          { version: 1, nodeId: 'w', count: 2 },
          { version: 2, nodeId: 'w', count: 1 },
        ])
        expect((await s.activeRuns('j1')).map((r) => r.runId)).toEqual(['r3', 'r1', 'r2'])
        const stats = await s.stats('j1')
        expect(stats.nodes.w).toMatchObject({ entered: 3, active: 3, outlets: { matched: 1 } })
        expect((await s.stats('j1', 2)).nodes.w).toMatchObject({ entered: 0, active: 1 })
      })

      it('holds events for a paused journey in sequence order and releases them', async () => {
        await commit({
          held: [
            { runId: 'r1', journeyId: 'j1', seq: 5 },
            { runId: 'r1', journeyId: 'j1', seq: 2 },
            { runId: 'r2', journeyId: 'j1', seq: 9 },
            { runId: 'r3', journeyId: 'j2', seq: 1 },
          ],
        })
        expect(await s.heldEvents('j1', 10)).toEqual([
          { runId: 'r1', seq: 2 },
          { runId: 'r1', seq: 5 },
          { runId: 'r2', seq: 9 },
        ])
        expect(await s.heldEvents('j1', 1)).toEqual([{ runId: 'r1', seq: 2 }])
        await commit({ heldReleased: [{ runId: 'r1', seq: 2 }, { runId: 'r2', seq: 9 }] })
        expect(await s.heldEvents('j1', 10)).toEqual([{ runId: 'r1', seq: 5 }])
      })

      it('appends history rows outside a commit, in order', async () => {
        await s.appendHistory([hist('r1', 'j1', 'webhook', T0), hist('r1', 'j1', 'message', T0 - 1)])
        await s.appendHistory([])
        expect((await s.historyPage('r1', { afterId: 0, limit: 10 })).map((h) => h.record.kind)).toEqual(['webhook', 'message'])
      })
    })

    describe('retention', () => {
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
  })
}

function ev(userId: string, messageId: string): IngestedEvent {
  return { messageId, type: 'track', userId, event: 'Signed Up', properties: {}, timestamp: T0, receivedAt: T0 }
}

function journey(id: string, status: JourneyRecord['status'] = 'live', createdAt = T0): JourneyRecord {
  return { id, name: `Journey ${id}`, status, graph: { nodes: [], edges: [] }, settings: { reentry: 'afterExit' }, version: null, publishedDraftHash: null, createdAt, updatedAt: createdAt }
}

function version(journeyId: string, v: number): JourneyVersionRecord {
  return {
    journeyId,
    version: v,
    graph: { nodes: [], edges: [] },
    settings: { reentry: 'afterExit' },
    machine: { id: journeyId, initial: 't', states: {} },
    hash: `hash-${v}`,
    compilerVersion: 3,
    publishedAt: T0 + v,
  }
}

function runOf(runId: string, journeyId: string, userId: string, o: Partial<RunRecord> = {}): RunRecord {
  const v = o.version ?? 1
  return {
    runId,
    journeyId,
    version: v,
    userId,
    status: 'active',
    stateKey: '"t"',
    currentNodeId: 't',
    context: { runId, journeyId, version: v, userId, event: null, message: null, control: false },
    waitingUntil: null,
    startedAt: T0,
    endedAt: null,
    ...o,
  }
}

function hist(runId: string, journeyId: string, kind: HistoryRecord['kind'], at: number): HistoryRecord {
  return { runId, journeyId, at, nodeId: 'n', kind, outlet: null, messageId: null, detail: { why: kind } }
}

function timer(runId: string, nodeId: string, journeyId: string, userId: string, dueAt: number): TimerRecord {
  return { runId, nodeId, journeyId, userId, dueAt }
}

function counter(journeyId: string, nodeId: string, metric: string, delta: number, v = 1) {
  return { journeyId, version: v, nodeId, metric, delta }
}

function watch(runId: string, journeyId: string, userId: string): GoalWatch {
  return { runId, journeyId, version: 1, userId, enteredAt: T0, deadline: T0 + DAY, control: false, triggerMessageId: 'm0' }
}

function outbox(id: string, kind: OutboxJob['kind'], userId: string): OutboxRecord {
  const context = { workspace: 'acme', journey: { id: 'j1', name: 'J', version: 1 }, runId: 'r1', nodeId: 'n', user: { id: userId, traits: {} }, event: null, message: null }
  const job: OutboxJob =
    kind === 'message'
      ? { kind, id, channel: 'sms', providerId: null, message: { text: 'hi' }, context, createdAt: T0 }
      : { kind, id, webhookId: 'wh_1', params: [], customParams: {}, body: { kind: 'activity' }, context, createdAt: T0 }
  return { id, kind, job, createdAt: T0 }
}

function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => key(a).localeCompare(key(b)))
}

/** Drops `undefined` fields, as a database round trip does. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null))
}
