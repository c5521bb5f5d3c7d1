import { describe, expect, it } from 'vitest'
import type { Duration } from '@switchyard/schema'
import { days, edge, exit, graph, hours, journeyInput, loadExample, trigger, waitEvent } from '@switchyard/testkit'
import { SqliteRetention } from './retention'
import type { RetentionPolicy } from '../retention'
import { openSqliteTestEngine, path, publish, send, track, type SqliteTestEngine } from '../../test/harness'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const policy: RetentionPolicy = { journalMs: 30 * DAY, historyMs: 180 * DAY, dedupeWindowMs: 7 * DAY }

const journalSeqs = (t: SqliteTestEngine) => t.store.db.prepare<[], { seq: number }>('SELECT seq FROM journal ORDER BY seq').all().map((r) => r.seq)
const historyRuns = (t: SqliteTestEngine) =>
  t.store.db.prepare<[], { run_id: string }>('SELECT DISTINCT run_id FROM history ORDER BY run_id').all().map((r) => r.run_id)
/** Signed Up, then a wait for Opened, then one of two exits. */
const waiting = (within: Duration) =>
  graph([trigger('t', 'Signed Up'), waitEvent('w', 'Opened', within), exit('a'), exit('b')], [edge('t', 'next', 'w'), edge('w', 'matched', 'a'), edge('w', 'timeout', 'b')])
const at = (t: SqliteTestEngine, user: string, event: string, messageId?: string) => track(user, event, {}, t.clock.now(), messageId)

describe('journal retention', () => {
  it('deletes applied events older than the retention in small batches, and keeps the rest', async () => {
    const t = await openSqliteTestEngine()
    await send(t.engine, ...Array.from({ length: 25 }, (_, i) => at(t, `u${i}`, 'Old')))
    t.clock.advance(10 * DAY)
    await send(t.engine, at(t, 'ann', 'Recent'))
    t.clock.advance(21 * DAY)
    // Received long ago by the clock but not applied yet: kept.
    await t.engine.ingest([track('bob', 'Unapplied', {}, t.clock.now() - 40 * DAY)])

    const pass = await new SqliteRetention(t.store, policy, { batchSize: 10 }).run(t.clock.now())
    expect(pass).toMatchObject({ journalRows: 25, historyRows: 0, dedupeKeysKept: 0 })
    expect(journalSeqs(t)).toEqual([26, 27])
    await t.engine.runUntilIdle()
    expect((await t.engine.lag()).appliedSeq).toBe(27)
  })

  it('keeps the newest row, so the next event does not reuse a sequence number already applied', async () => {
    const t = await openSqliteTestEngine()
    const id = await publish(t.engine, journeyInput('Welcome', graph([trigger('t', 'Signed Up'), exit('x')], [edge('t', 'next', 'x')])))
    await send(t.engine, at(t, 'ann', 'Seen'), at(t, 'ann', 'Seen'))
    t.clock.advance(31 * DAY)
    expect((await new SqliteRetention(t.store, policy).run(t.clock.now())).journalRows).toBe(1)
    expect(journalSeqs(t)).toEqual([2])
    await send(t.engine, at(t, 'bob', 'Signed Up'))
    expect(journalSeqs(t)).toEqual([2, 3])
    expect(await t.engine.userRuns(id, 'bob')).toHaveLength(1)
  })

  it('keeps events held for a paused journey, which apply on resume', async () => {
    const t = await openSqliteTestEngine()
    const id = await publish(t.engine, loadExample('several-actions', 'wh_1'))
    await send(t.engine, at(t, 'ann', 'App Launched'))
    await t.engine.setPaused(id, true)
    await send(t.engine, at(t, 'ann', 'Notification Viewed'), at(t, 'zed', 'Other'))
    t.clock.advance(31 * DAY)

    expect((await new SqliteRetention(t.store, policy).run(t.clock.now())).journalRows).toBe(1)
    expect(journalSeqs(t)).toEqual([2, 3])
    await t.engine.setPaused(id, false)
    await t.engine.runUntilIdle()
    expect(await path(t.engine, id, 'ann')).toContain('event:w>matched')
  })

  it('keeps everything received since the earliest open goal window began, until its deadline', async () => {
    const t = await openSqliteTestEngine()
    await publish(t.engine, journeyInput('Goal', waiting(hours(1)), { goal: { event: 'Purchased', within: days(60) } }))
    await send(t.engine, at(t, 'zed', 'Before'))
    t.clock.advance(1)
    await send(t.engine, at(t, 'ann', 'Signed Up'), at(t, 'ann', 'Browsed'))
    t.clock.advance(31 * DAY)
    await send(t.engine, at(t, 'zed', 'Later'))

    const retention = new SqliteRetention(t.store, policy)
    expect((await retention.run(t.clock.now())).journalRows).toBe(1)
    expect(journalSeqs(t)).toEqual([2, 3, 4])
    t.clock.advance(30 * DAY)
    expect((await retention.run(t.clock.now())).journalRows).toBe(2)
    expect(journalSeqs(t)).toEqual([4])
  })
})

describe('history retention', () => {
  it('deletes runs that ended longer ago than the retention with their history, never an active run, and keeps who entered', async () => {
    const t = await openSqliteTestEngine()
    const done = await publish(t.engine, journeyInput('Done', graph([trigger('t', 'Signed Up'), exit('x')], [edge('t', 'next', 'x')]), { reentry: 'never' }))
    const open = await publish(t.engine, journeyInput('Waiting', waiting(days(300))))
    await send(t.engine, at(t, 'ann', 'Signed Up'), at(t, 'bob', 'Signed Up'))
    t.clock.advance(100 * DAY)
    await send(t.engine, at(t, 'carl', 'Signed Up'))
    t.clock.advance(81 * DAY)
    const runId = async (journeyId: string, user: string) => (await t.engine.userRuns(journeyId, user))[0]?.runId ?? ''
    const [annDone, bobDone, carlDone, annWaiting] = await Promise.all([runId(done, 'ann'), runId(done, 'bob'), runId(done, 'carl'), runId(open, 'ann')])

    const retention = new SqliteRetention(t.store, policy, { batchSize: 10 })
    expect((await retention.run(t.clock.now())).historyRows).toBeGreaterThan(0)
    const left = historyRuns(t)
    expect(left).not.toContain(annDone)
    expect(left).not.toContain(bobDone)
    expect(left).toContain(carlDone)
    expect(left).toContain(annWaiting)
    expect(await t.engine.userRuns(done, 'ann')).toEqual([])
    expect(await t.engine.userRuns(done, 'carl')).toHaveLength(1)
    expect(await t.engine.userRuns(open, 'ann')).toHaveLength(1)
    expect((await retention.run(t.clock.now())).historyRows).toBe(0)
    // `reentry: never` still holds for Ann, whose run is gone; a new user enters.
    await send(t.engine, at(t, 'ann', 'Signed Up'), at(t, 'dora', 'Signed Up'))
    expect(await t.engine.userRuns(done, 'ann')).toEqual([])
    expect(await t.engine.userRuns(done, 'dora')).toHaveLength(1)
  })
})

describe('deduplication after retention', () => {
  const short: RetentionPolicy = { journalMs: HOUR, historyMs: 180 * DAY, dedupeWindowMs: 7 * DAY }

  it('refuses a messageId again inside the window after its journal row is gone, and accepts it after', async () => {
    let t = await openSqliteTestEngine()
    const id = await publish(t.engine, journeyInput('Welcome', graph([trigger('t', 'Signed Up'), exit('x')], [edge('t', 'next', 'x')]), { reentry: 'always' }))
    await send(t.engine, at(t, 'ann', 'Signed Up', 'same-id'), at(t, 'zed', 'Other'))
    t.clock.advance(2 * HOUR)
    expect(await new SqliteRetention(t.store, short).run(t.clock.now())).toMatchObject({ journalRows: 1, dedupeKeysKept: 1 })
    expect(journalSeqs(t)).toEqual([2])

    expect(await t.engine.ingest([at(t, 'ann', 'Signed Up', 'same-id')])).toEqual({ accepted: 0, duplicates: 1 })
    // The key is in the database, not only in memory: a restarted process refuses it too.
    t = await t.restart()
    expect(await t.engine.ingest([at(t, 'ann', 'Signed Up', 'same-id')])).toEqual({ accepted: 0, duplicates: 1 })
    await t.engine.runUntilIdle()
    expect(await t.engine.userRuns(id, 'ann')).toHaveLength(1)

    t.clock.advance(7 * DAY)
    expect(await new SqliteRetention(t.store, short).run(t.clock.now())).toMatchObject({ dedupeKeysPruned: 1 })
    expect(await t.engine.ingest([at(t, 'ann', 'Signed Up', 'same-id')])).toEqual({ accepted: 1, duplicates: 0 })
    await t.engine.runUntilIdle()
    expect(await t.engine.userRuns(id, 'ann')).toHaveLength(2)
  })

  it('keeps no keys when the journal outlives the window', async () => {
    const t = await openSqliteTestEngine()
    await send(t.engine, at(t, 'ann', 'Seen'), at(t, 'ann', 'Seen'))
    t.clock.advance(31 * DAY)
    expect(await new SqliteRetention(t.store, policy).run(t.clock.now())).toMatchObject({ journalRows: 1, dedupeKeysKept: 0 })
  })
})
