import fc from 'fast-check'
import { describe, it } from 'vitest'
import type { IngestedEvent } from '@switchyard/schema'
import { condition, delayFor, edge, exit, graph, journeyInput, seconds, trigger, waitEvent, webhook } from '@switchyard/testkit'
import { openTestEngine, publish, type TestEngine } from '../test/harness'

const JOURNEYS = [
  journeyInput(
    'Onboarding',
    graph(
      [
        trigger('signup', 'signup'),
        webhook('welcome', 'wh_1'),
        condition('isPro', { path: 'user.traits.plan', op: 'eq', value: 'pro' }),
        waitEvent('proWait', 'purchase', seconds(2)),
        waitEvent('freeWait', 'purchase', seconds(8)),
        webhook('bought', 'wh_1'),
        webhook('nudge', 'wh_1'),
        exit('gone'),
      ],
      [
        edge('signup', 'next', 'welcome'),
        edge('welcome', 'next', 'isPro'),
        edge('isPro', 'yes', 'proWait'),
        edge('isPro', 'no', 'freeWait'),
        edge('proWait', 'matched', 'bought'),
        edge('proWait', 'timeout', 'nudge'),
        edge('freeWait', 'matched', 'bought'),
        edge('freeWait', 'timeout', 'gone'),
      ],
    ),
  ),
  journeyInput(
    'Cart',
    graph(
      [trigger('cart', 'add_to_cart'), delayFor('pause', seconds(1)), waitEvent('checkoutWait', 'checkout', seconds(5)), exit('paid'), webhook('lost', 'wh_1')],
      [edge('cart', 'next', 'pause'), edge('pause', 'next', 'checkoutWait'), edge('checkoutWait', 'matched', 'paid'), edge('checkoutWait', 'timeout', 'lost')],
    ),
    { reentry: 'always' },
  ),
] as const

const CALLS = ['signup', 'purchase', 'add_to_cart', 'checkout', 'page_view', 'identify:pro', 'identify:free'] as const
const USERS = ['ann', 'bob', 'cy', 'dee'] as const

/** Each user's calls per phase; between phases the clock moves past some waits. */
const phases = fc.array(
  fc.array(fc.record({ user: fc.constantFrom(...USERS), call: fc.constantFrom(...CALLS) }), { maxLength: 12 }),
  { minLength: 1, maxLength: 3 },
)

function toEvent(user: string, call: (typeof CALLS)[number], messageId: string, at: number): IngestedEvent {
  if (call.startsWith('identify:')) return { messageId, type: 'identify', userId: user, traits: { plan: call.slice('identify:'.length) }, timestamp: at, receivedAt: at }
  return { messageId, type: 'track', userId: user, event: call, properties: { n: messageId }, timestamp: at, receivedAt: at }
}

/** Runs, statuses, paths and queued side effects per user: what must not depend on delivery. */
async function outcome(t: TestEngine, journeyIds: string[]): Promise<string> {
  const out: Record<string, unknown> = {}
  for (const user of USERS) {
    const runs = []
    for (const id of journeyIds) {
      for (const r of (await t.engine.userRuns(id, user)).reverse()) {
        runs.push(`${id === journeyIds[0] ? 'onboarding' : 'cart'} ${r.status} ${r.history.map((h) => `${h.kind}:${h.nodeId}>${h.outlet ?? ''}`).join(' ')}`)
      }
    }
    out[user] = { runs, traits: (await t.store.getUser(user))?.traits ?? null }
  }
  const jobs = (await t.engine.claimOutbox('webhook', 10_000)).map((c) => (c.job.kind === 'webhook' ? `${c.job.context.user.id}:${c.job.context.nodeId}` : ''))
  out.webhooks = jobs.sort()
  return JSON.stringify(out)
}

const PHASE_GAP_MS = 3000

/** The reference: one event per ingest, users one after another, everything applied at once. */
async function reference(plan: { user: string; call: (typeof CALLS)[number] }[][]): Promise<string> {
  const t = await openTestEngine()
  const ids = [await publish(t.engine, JOURNEYS[0]), await publish(t.engine, JOURNEYS[1])]
  for (const [p, phase] of plan.entries()) {
    for (const user of USERS) {
      for (const [i, e] of phase.entries()) {
        if (e.user !== user) continue
        await t.engine.ingest([toEvent(e.user, e.call, `p${p}-${i}`, t.clock.now())])
        await t.engine.runUntilIdle()
      }
    }
    t.clock.advance(PHASE_GAP_MS)
    await t.engine.runUntilIdle()
  }
  t.clock.advance(60_000)
  await t.engine.runUntilIdle()
  return outcome(t, ids)
}

describe('the state a user ends in', () => {
  it('does not depend on how users interleave, how events are batched, or on duplicates by messageId', async () => {
    await fc.assert(
      fc.asyncProperty(
        phases,
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        fc.array(fc.record({ from: fc.nat(), to: fc.nat() }), { maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 10 }),
        async (plan, order, dupes, sizes) => {
          const want = await reference(plan)
          const t = await openTestEngine()
          const ids = [await publish(t.engine, JOURNEYS[0]), await publish(t.engine, JOURNEYS[1])]
          let k = 0
          for (const [p, phase] of plan.entries()) {
            // Interleave users at random while keeping each user's own order.
            const queues = USERS.map((u) => phase.flatMap((e, i) => (e.user === u ? [toEvent(e.user, e.call, `p${p}-${i}`, t.clock.now())] : [])))
            const stream: IngestedEvent[] = []
            for (let step = 0; queues.some((q) => q.length > 0); step++) {
              const open = queues.filter((q) => q.length > 0)
              const next = open[(order[step % order.length] ?? 0) % open.length]?.shift()
              if (next) stream.push(next)
            }
            // Resend earlier events later, with the same id and a different body: the first wins.
            for (const d of dupes) {
              const from = d.from % Math.max(1, stream.length)
              const original = stream[from]
              const at = from + 1 + (d.to % (stream.length - from))
              if (original?.type === 'track') stream.splice(at, 0, { ...original, event: 'signup' })
            }
            for (let i = 0; i < stream.length; ) {
              const size = sizes[k++ % sizes.length] ?? 1
              await t.engine.ingest(stream.slice(i, i + size))
              i += size
              await t.engine.processPending(sizes[k % sizes.length] ?? 1)
            }
            await t.engine.runUntilIdle()
            t.clock.advance(PHASE_GAP_MS)
            await t.engine.runUntilIdle()
          }
          t.clock.advance(60_000)
          await t.engine.runUntilIdle()
          const got = await outcome(t, ids)
          if (got !== want) throw new Error(`differs from the reference\n got ${got}\nwant ${want}`)
        },
      ),
      { numRuns: 60 },
    )
  }, 120_000)
})
