import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { COMPILER_VERSION, compileJourney } from '@switchyard/compiler'
import { Graph, JourneySettings, RecordDecodeError } from '@switchyard/schema'
import { loadExample } from '@switchyard/testkit'
import { openSqliteTestEngine, publish, send, track } from '../../test/harness'
import { StoredGraph, StoredHistoryDetail, StoredMachineRecord, StoredOutboxJob, StoredRunContextRecord, StoredSettings, StoredTraits } from '../stored'

/** A journey waiting on ann's click, with a message in the outbox and history with details. */
async function waitingAnn() {
  const t = await openSqliteTestEngine()
  const id = await publish(t.engine, loadExample('netcore-cart-rcs', 'wh_cc'))
  await send(t.engine, track('ann', 'add_to_cart', { sku: 'A1' }), { messageId: 'i-ann', type: 'identify', userId: 'ann', traits: { plan: 'pro' }, timestamp: t.clock.now(), receivedAt: t.clock.now() })
  const before = {
    journey: await t.store.getJourney(id),
    runs: await t.store.runsOf(id, 'ann'),
    outbox: await t.store.claimOutbox('message', 10, t.clock.now()),
    user: await t.store.getUser('ann'),
  }
  await t.engine.close()
  return { t, id, before }
}

/** Rewrites every JSON column as the build before versioned records wrote it: bare, and run contexts without `control`. */
function writeAsV1(file: string): void {
  const db = new Database(file)
  db.exec(`
    UPDATE journeys SET graph = json_extract(graph, '$.value'), settings = json_extract(settings, '$.value');
    UPDATE journey_versions SET graph = json_extract(graph, '$.value'), settings = json_extract(settings, '$.value'),
      machine = json_extract(machine, '$.value.machine');
    UPDATE runs SET context = json_remove(json_extract(context, '$.value'), '$.control');
    UPDATE history SET detail = json_extract(detail, '$.value') WHERE detail IS NOT NULL;
    UPDATE outbox SET job = json_extract(job, '$.value');
    UPDATE users SET traits = json_extract(traits, '$.value');
  `)
  const context = db.prepare<[], { context: string }>('SELECT context FROM runs').get()?.context ?? ''
  expect(JSON.parse(context)).not.toHaveProperty('control')
  expect(JSON.parse(context)).not.toHaveProperty('$v')
  db.close()
}

describe('versioned records in the engine store', () => {
  it('reads rows written before versioning as v1, migrates them, and keeps running the run', async () => {
    const { t, id, before } = await waitingAnn()
    writeAsV1(t.file)

    const t2 = await openSqliteTestEngine(t.file, t.clock)
    expect(await t2.store.getJourney(id)).toEqual(before.journey)
    const runs = await t2.store.runsOf(id, 'ann')
    expect(runs).toEqual(before.runs)
    expect(runs[0]?.context.control).toBe(false)
    expect(await t2.store.claimOutbox('message', 10, t2.clock.now())).toEqual(before.outbox)
    expect(await t2.store.getUser('ann')).toEqual(before.user)
    const [version] = await t2.store.listVersions(id)
    expect(version?.compilerVersion).toBe(0)

    // The v1 machine is recompiled from the graph, and ann's click still completes her run.
    const messageId = runs[0]?.history.find((h) => h.kind === 'message')?.messageId ?? ''
    await send(t2.engine, track('ann', 'rcs.clicked', { messageId }))
    expect((await t2.engine.userRuns(id, 'ann'))[0]?.status).toBe('completed')
    await t2.engine.close()
  })

  it('refuses a row from a newer version with an error naming the record and its version', async () => {
    const { t, id } = await waitingAnn()
    const db = new Database(t.file)
    db.exec(`UPDATE runs SET context = '{"$v":3,"value":{"runId":"r"}}'`)
    db.close()
    const t2 = await openSqliteTestEngine(t.file, t.clock)
    await expect(t2.store.runsOf(id, 'ann')).rejects.toThrow(RecordDecodeError)
    await expect(t2.store.runsOf(id, 'ann')).rejects.toThrow('cannot read stored run context v3: newer than this build reads (v2)')
    await t2.engine.close()
  })

  it('refuses to run a machine whose hash differs from its recompilation under the same compiler version', async () => {
    const { t } = await waitingAnn()
    const db = new Database(t.file)
    db.exec(`UPDATE journey_versions SET hash = 'f00d'`)
    db.close()
    await expect(openSqliteTestEngine(t.file, t.clock)).rejects.toThrow(/bump COMPILER_VERSION/)

    // Made by another compiler version: the stored hash is not comparable, the machine is simply recompiled.
    const db2 = new Database(t.file)
    db2.exec(`UPDATE journey_versions SET machine = json_set(machine, '$.value.compilerVersion', ${COMPILER_VERSION + 1})`)
    db2.close()
    const t2 = await openSqliteTestEngine(t.file, t.clock)
    await t2.engine.close()
  })

  it('round-trips every versioned shape', async () => {
    const { before } = await waitingAnn()
    const input = loadExample('netcore-cart-rcs', 'wh_cc')
    const settings = JourneySettings.parse({ goal: { event: 'purchase', within: { amount: 1, unit: 'days' } } })
    const compiled = compileJourney(Graph.parse(input.graph))
    const run = before.runs[0]
    const job = before.outbox[0]?.job
    const detail = run?.history.find((h) => h.detail !== null)?.detail
    if (!run || !job || !detail || !before.user) throw new Error('fixture incomplete')
    const trip = <T>(r: { encode(v: T): string; decode(s: string): T }, v: T) => expect(r.decode(r.encode(v))).toEqual(v)
    trip(StoredGraph, input.graph)
    trip(StoredSettings, settings)
    trip(StoredRunContextRecord, run.context)
    trip(StoredOutboxJob, job)
    trip(StoredHistoryDetail, detail)
    trip(StoredTraits, before.user.traits)
    trip(StoredMachineRecord, { compilerVersion: COMPILER_VERSION, machine: compiled.machine })
  })

  it('refuses a current outbox job whose top level is not a job, naming the record', async () => {
    const { before } = await waitingAnn()
    const job = before.outbox[0]?.job
    if (!job) throw new Error('fixture incomplete')
    const { context: _context, ...withoutContext } = job
    for (const broken of [withoutContext, { ...job, kind: 'sms' }, { ...job, id: 7 }, { ...job, context: { ...job.context, user: { id: 'ann' } } }]) {
      expect(() => StoredOutboxJob.decode(`{"$v":2,"value":${JSON.stringify(broken)}}`)).toThrow('cannot read stored outbox job v2: does not have the shape of this version')
    }
    // A row from before the envelope is version 1 too, and goes through the schema.
    expect(() => StoredOutboxJob.decode(JSON.stringify({ ...job, createdAt: 'yesterday' }))).toThrow('cannot read stored outbox job v1: invalid')
  })
})
