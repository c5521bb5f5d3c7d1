import { describe, expect, it } from 'vitest'
import { action, edge, exit, graph, hours, journeyInput, trigger, waitActivity } from '@switchyard/testkit'
import type { MessageJob } from '@switchyard/schema'
import { openTestEngine, send, track } from '../test/harness'

/** trigger -> email -> wait for `opened` within an hour. */
function emailJourney(subject: string) {
  return journeyInput(
    'Welcome',
    graph(
      [trigger('t', 'signed_up'), action('send', 'email', { subject, body: `<p>${'Welcome aboard. '.repeat(64)}</p>` }), waitActivity('w', 'opened', hours(1)), exit('opened'), exit('silent')],
      [edge('t', 'next', 'send'), edge('send', 'next', 'w'), edge('w', 'matched', 'opened'), edge('w', 'timeout', 'silent')],
    ),
  )
}

describe('message jobs and their fields', () => {
  it('stores a message job without its fields and hands it out with those of the version its run is on', async () => {
    const t = await openTestEngine()
    const j = await t.engine.createJourney(emailJourney('Hello from v1'))
    expect((await t.engine.publish(j.id))?.ok).toBe(true)
    await send(t.engine, track('ann', 'signed_up'))
    // A new version with other words: ann's queued message keeps those of the version she is on.
    await t.engine.updateJourney(j.id, { graph: emailJourney('Hello from v2').graph })
    expect((await t.engine.publish(j.id))?.ok).toBe(true)
    await send(t.engine, track('bob', 'signed_up'))

    const stored = await t.store.claimOutbox('message', 10, t.clock.now())
    expect(stored).toHaveLength(2)
    for (const claim of stored) expect(claim.job).not.toHaveProperty('message')

    const claims = await t.engine.claimOutbox('message', 10)
    const subjects = Object.fromEntries(claims.map((c) => [c.job.context.user.id, (c.job as MessageJob).message.subject]))
    expect(subjects).toEqual({ ann: 'Hello from v1', bob: 'Hello from v2' })
    expect((claims[0]?.job as MessageJob).message.body).toContain('Welcome aboard.')
  })

  it('drops the queued messages of a deleted journey with it, and no other journey’s', async () => {
    const t = await openTestEngine()
    const gone = await t.engine.createJourney(emailJourney('Going'))
    const kept = await t.engine.createJourney({ ...emailJourney('Staying'), name: 'Kept' })
    for (const id of [gone.id, kept.id]) expect((await t.engine.publish(id))?.ok).toBe(true)
    await send(t.engine, track('ann', 'signed_up'))
    expect(await t.store.outboxPending()).toBe(2)

    expect(await t.engine.deleteJourney(gone.id, { exitUsers: true })).toEqual({ ok: true })
    expect(await t.store.outboxPending()).toBe(1)
    const claims = await t.engine.claimOutbox('message', 10)
    expect(claims.map((c) => (c.job as MessageJob).message.subject)).toEqual(['Staying'])
  })

  it('hands out nothing of a journey deleted between the claim’s read and the lookup of its fields', async () => {
    const t = await openTestEngine()
    const j = await t.engine.createJourney(emailJourney('Hello'))
    expect((await t.engine.publish(j.id))?.ok).toBe(true)
    await send(t.engine, track('ann', 'signed_up'), track('bob', 'signed_up'))
    const read = t.store.claimOutbox.bind(t.store)
    t.store.claimOutbox = async (...args) => {
      const rows = await read(...args)
      await t.store.deleteJourney(j.id)
      return rows
    }
    expect(await t.engine.claimOutbox('message', 10)).toEqual([])
    expect(await t.store.outboxPending()).toBe(0)
  })
})
