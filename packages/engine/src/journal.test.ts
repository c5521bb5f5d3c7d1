import { describe, expect, it } from 'vitest'
import type { IngestedEvent } from '@switchyard/schema'
import { openTestEngine, publish, send, track } from '../test/harness'
import { loadExample } from '@switchyard/testkit'
import { JournalWriter } from './journal-writer'
import type { JoinedWrite } from '@switchyard/storage'
import type { EngineStore, OutboxSettleRows } from './store'

describe('the journal', () => {
  it('hands the engine exactly the entries a read of the database gives back', async () => {
    const t = await openTestEngine()
    const now = t.clock.now()
    const events: IngestedEvent[] = [
      track('ann', 'Charged', { amount: 12.5, items: [{ sku: 'A', qty: 2 }], note: null, ok: true }, now),
      { messageId: 'i-1', type: 'identify', userId: 'ann', traits: { country: 'CA', tags: ['vip'] }, timestamp: now, receivedAt: now },
      { messageId: 'c-1', type: 'track', userId: 'bob', event: 'x', properties: {}, context: { ip: '1.2.3.4', library: { name: 'n' } }, timestamp: now - 5, receivedAt: now },
      { ...track('cid', 'p', JSON.parse('{"__proto__":{"polluted":1},"a":1}'), now) },
      track('ann', 'Charged', {}, now, 'dup'),
      track('ann', 'Charged', { other: 1 }, now, 'dup'),
    ]
    const results = await t.store.appendEventGroups([events.slice(0, 3), events.slice(3)])
    expect(results.map((r) => [r.accepted, r.duplicates])).toEqual([
      [3, 0],
      [2, 1],
    ])
    const stored = results.flatMap((r) => r.stored)
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
    expect(JSON.parse(JSON.stringify(stored))).toEqual(JSON.parse(JSON.stringify(await t.store.readJournal(0, 100))))
  })

  it('applies events ingested before a restart, which are no longer in memory, from the database', async () => {
    let t = await openTestEngine()
    const id = await publish(t.engine, loadExample('single-action', 'wh'))
    await t.engine.ingest([track('ann', 'App Launched'), track('bob', 'App Launched')])
    await t.engine.processPending(1)
    t = await t.restart()
    await send(t.engine, track('cid', 'App Launched'))
    for (const user of ['ann', 'bob', 'cid']) expect(await t.engine.userRuns(id, user)).toHaveLength(1)
    expect((await t.engine.lag()).pending).toBe(0)
  })
})

describe('the journal writer', () => {
  it('fails only the caller whose events the store refuses, not the others sharing its transaction', async () => {
    const t = await openTestEngine()
    // Stands in for a value one backend refuses (PostgreSQL text and a NUL): the whole group's insert fails.
    const refusing: EngineStore = Object.create(t.store, {
      appendEventGroups: {
        value: async (groups: IngestedEvent[][]) => {
          if (groups.some((g) => g.some((e) => e.userId === 'refused'))) throw new Error('invalid byte sequence')
          return t.store.appendEventGroups(groups)
        },
      },
    })
    const seen: number[] = []
    const writer = new JournalWriter(refusing, () => 0, (r) => void seen.push(r.accepted))
    const now = t.clock.now()
    const answers = await Promise.allSettled([writer.write([track('ann', 'A', {}, now)]), writer.write([track('refused', 'A', {}, now)]), writer.write([track('bob', 'A', {}, now), track('bob', 'B', {}, now)])])
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(answers[2]).toMatchObject({ value: { accepted: 2, duplicates: 0 } })
    expect((await t.store.readJournal(0, 10)).map((e) => e.userId)).toEqual(['ann', 'bob', 'bob'])
    expect(seen).toEqual([1, 2])
  })

  it("commits relay settlements apart from ingestion's group, those of one turn together, and fails only the settlement whose joined write is refused", async () => {
    const t = await openTestEngine()
    const calls: { events: number; settled: number }[] = []
    const counting: EngineStore = Object.create(t.store, {
      appendEventGroups: {
        value: async (groups: IngestedEvent[][], settle?: OutboxSettleRows) => {
          calls.push({ events: groups.flat().length, settled: settle?.joined.length ?? 0 })
          return t.store.appendEventGroups(groups, settle)
        },
      },
    })
    const writer = new JournalWriter(counting, () => 0, () => {})
    const now = t.clock.now()
    const committed: string[] = []
    const joined = (name: string, refuse = false): JoinedWrite => ({
      sqlite() {
        if (refuse) throw new Error(`${name} refused`)
      },
      async postgres() {
        if (refuse) throw new Error(`${name} refused`)
      },
      committed: () => void committed.push(name),
    })
    const rows = (j: JoinedWrite): OutboxSettleRows => ({ complete: [], defer: [], history: [], joined: [j] })
    const answers = await Promise.allSettled([
      writer.write([track('ann', 'A', {}, now, 'a1')]),
      writer.settle([track('ann', 'email.sent', {}, now, 'sent:m1')], rows(joined('first'))),
      writer.settle([track('bob', 'email.sent', {}, now, 'sent:m2')], rows(joined('refused', true))),
      writer.settle([], rows(joined('third'))),
    ])
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    // Ingestion alone; the three settlements together, refused; then each alone.
    expect(calls).toEqual([
      { events: 1, settled: 0 },
      { events: 2, settled: 3 },
      { events: 1, settled: 1 },
      { events: 1, settled: 1 },
      { events: 0, settled: 1 },
    ])
    expect(committed).toEqual(['first', 'third'])
    expect((await t.store.readJournal(0, 10)).map((e) => e.messageId).sort()).toEqual(['a1', 'sent:m1'])
  })
})
