import { describe, expect, it } from 'vitest'
import { FakeClock, loadExample } from '@switchyard/testkit'
import { TEST_STORE, identify, openSqliteTestEngine, track } from '../test/harness'
import { Engine } from './engine'
import type { AppliedElsewhere } from './elsewhere'
import { SqliteEngineStore } from './sqlite/store'
import { openDatabase } from './sqlite/open'

/**
 * Two engines on one SQLite file, as the server runs them on two threads: the ingester appends and
 * reads, the applier applies. Here the "messages" between them are direct calls, so every step is
 * in the test's hands.
 */
async function pair() {
  const clock = new FakeClock()
  const applier = await openSqliteTestEngine(undefined, clock)
  const toApplier: AppliedElsewhere = {
    publish: (id, references, migrate) => applier.engine.publish(id, references, migrate),
    setPaused: (id, paused) => applier.engine.setPaused(id, paused),
    deleteJourney: (id, options) => applier.engine.deleteJourney(id, options),
    journeysChanged: () => applier.engine.journeysChangedElsewhere(),
  }
  const ingester = await Engine.open({ store: new SqliteEngineStore(openDatabase(applier.file), clock.now()), clock, workspace: 'acme', elsewhere: toApplier })
  /** The applier's loop, reported back as the thread reports. */
  const apply = async () => {
    const before = { ...applier.engine.counters }
    await applier.engine.runUntilIdle()
    const c = applier.engine.counters
    ingester.appliedElsewhere({ events: c.eventsApplied - before.eventsApplied, timers: c.timersFired - before.timersFired })
  }
  return { clock, applier: applier.engine, ingester, apply, file: applier.file, toApplier }
}

describe.skipIf(TEST_STORE === 'postgres')('an engine whose journal is applied elsewhere', () => {
  it('reads published versions without compiling them: a stored machine the compiler disagrees with stops an applier at open, not the reading side', async () => {
    const { clock, ingester, apply, file, toApplier } = await pair()
    const j = await ingester.createJourney(loadExample('netcore-cart-rcs', 'wh_cc'))
    await ingester.publish(j.id)
    await ingester.ingest([identify('ann', { FIRSTNAME: 'Ann' }), track('ann', 'add_to_cart')])
    await apply()
    openDatabase(file).prepare("UPDATE journey_versions SET hash = 'not-what-it-compiles-to'").run()
    await expect(Engine.open({ store: new SqliteEngineStore(openDatabase(file), clock.now()), clock, workspace: 'acme' })).rejects.toThrow(/compiles to hash/)
    const reader = await Engine.open({ store: new SqliteEngineStore(openDatabase(file), clock.now()), clock, workspace: 'acme', elsewhere: toApplier })
    expect((await reader.getJourney(j.id))?.status).toBe('live')
    expect((await reader.userRuns(j.id, 'ann'))[0]?.currentNodeId).toBe('wait')
  })

  it('only ingests and reads: the applier runs what it stored, and journey writes that touch runs go to the applier', async () => {
    const { applier, ingester, apply } = await pair()
    await expect(ingester.processPending()).rejects.toThrow(/engine thread/)
    const j = await ingester.createJourney(loadExample('netcore-cart-rcs', 'wh_cc'))
    const published = await ingester.publish(j.id)
    expect(published).toMatchObject({ ok: true, version: 1 })
    // The ingester's catalog was read again after the applier published: its reads name the live version.
    expect((await ingester.getJourney(j.id))?.status).toBe('live')

    await ingester.ingest([identify('ann', { FIRSTNAME: 'Ann' }), track('ann', 'add_to_cart')])
    expect((await ingester.lag()).pending).toBe(2)
    await apply()
    expect((await ingester.userRuns(j.id, 'ann'))[0]?.currentNodeId).toBe('wait')
    expect(await ingester.lag()).toMatchObject({ pending: 0 })
    expect(ingester.counters).toMatchObject({ eventsAccepted: 2, eventsApplied: 2 })

    // Paused through the applier: a new user's event is held, then applied on resume.
    expect(await ingester.setPaused(j.id, true)).toMatchObject({ status: 'paused' })
    await ingester.ingest([track('bob', 'add_to_cart')])
    await apply()
    expect(await ingester.userRuns(j.id, 'bob')).toEqual([])
    expect(await ingester.setPaused(j.id, false)).toMatchObject({ status: 'live' })
    expect((await ingester.userRuns(j.id, 'bob'))[0]?.currentNodeId).toBe('wait')

    // A rename on the ingester's side reaches the applier's catalog before its next batch.
    await ingester.updateJourney(j.id, { name: 'Renamed' })
    await apply()
    expect(applier.journeyName(j.id)).toBe('Renamed')

    expect(await ingester.deleteJourney(j.id, { exitUsers: false })).toMatchObject({ ok: false, code: 'journey.has_active_users' })
    expect(await ingester.deleteJourney(j.id, { exitUsers: true })).toEqual({ ok: true })
    expect(await ingester.getJourney(j.id)).toBeNull()
  })

  it('holds writers at the back-pressure limit until the applier reports it caught up', async () => {
    const { ingester, apply } = await pair()
    ingester.setBackPressure(2)
    await ingester.ingest([track('ann', 'x'), track('bob', 'x')])
    let third = false
    const pending = ingester.ingest([track('cy', 'x')]).then(() => (third = true))
    await new Promise((resolve) => setImmediate(resolve))
    expect(third).toBe(false)
    await apply()
    await pending
    expect(third).toBe(true)
    expect(ingester.counters).toMatchObject({ eventsAccepted: 3, eventsApplied: 2 })
  })
})
