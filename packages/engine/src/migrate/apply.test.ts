import { describe, expect, it } from 'vitest'
import { action, days, edge, exit, graph, journeyInput, trigger, waitEvent } from '@switchyard/testkit'
import { openSqliteTestEngine, send, track } from '../../test/harness'

const v1 = graph(
  [trigger('t', 'signed_up'), waitEvent('wait', 'purchase', days(2)), exit('out')],
  [edge('t', 'next', 'wait'), edge('wait', 'timeout', 'out'), edge('wait', 'matched', 'out')],
)
const v2 = graph(
  [trigger('t', 'signed_up'), waitEvent('wait', 'purchase', days(2)), action('sms', 'sms', { text: 'Hi' }), exit('out')],
  [edge('t', 'next', 'wait'), edge('wait', 'timeout', 'sms'), edge('sms', 'next', 'out'), edge('wait', 'matched', 'out')],
)

describe('a migration', () => {
  it('moves every waiting run or none: a failure in the middle of the commit leaves all 20 on v1 and publishes nothing', async () => {
    const { engine, store, clock } = await openSqliteTestEngine()
    const j = await engine.createJourney(journeyInput('Sign-ups', v1))
    await engine.publish(j.id)
    await send(engine, ...Array.from({ length: 20 }, (_, i) => track(`u${i}`, 'signed_up', {}, clock.now())))
    await engine.updateJourney(j.id, { graph: v2 })
    // The disk fills up at the 11th history row of the migration, inside its transaction.
    store.db.exec(`CREATE TRIGGER fail_midway BEFORE INSERT ON history WHEN NEW.kind = 'migrated' AND (SELECT count(*) FROM history WHERE kind = 'migrated') >= 10
      BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`)
    await expect(engine.publish(j.id, {}, { policy: 'move', onRemoved: 'keep' })).rejects.toThrow('disk is full')
    const runs = await store.activeRuns(j.id)
    expect(runs).toHaveLength(20)
    expect(runs.every((r) => r.version === 1 && r.context.version === 1)).toBe(true)
    expect(store.db.prepare("SELECT count(*) AS n FROM history WHERE kind = 'migrated'").get()).toEqual({ n: 0 })
    expect((await engine.listVersions(j.id))?.map((v) => v.version)).toEqual([1])

    // Once the disk has room, the next publish moves all 20, each keeping its due time.
    store.db.exec('DROP TRIGGER fail_midway')
    const due = runs.map((r) => r.waitingUntil)
    const published = await engine.publish(j.id, {}, { policy: 'move', onRemoved: 'keep' })
    expect(published).toMatchObject({ ok: true, version: 2, migrated: { moved: 20, exited: 0, kept: 0 } })
    const moved = await store.activeRuns(j.id)
    expect(moved.map((r) => r.version)).toEqual(Array(20).fill(2))
    expect(moved.map((r) => r.waitingUntil)).toEqual(due)
  })
})
