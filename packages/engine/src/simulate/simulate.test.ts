import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { action, condition, delayFor, edge, exit, graph, hours, journeyInput, trigger, waitActivity, waitEvent, webhook } from '@switchyard/testkit'
import type { IngestedEvent } from '@switchyard/schema'
import { identify, openTestEngine, track } from '../../test/harness'
import { simulateJourney } from './simulate'
import type { EffectRenderer } from './simulator'

const HOUR = 3_600_000
const START = Date.parse('2026-06-01T00:00:00Z')

/** Every branch kind: a condition on a trait, a message with an activity wait, an event wait, a delay, a webhook. */
const journey = journeyInput(
  'Every step',
  graph(
    [
      trigger('t', 'signed_up'),
      condition('vip', { path: 'user.traits.plan', op: 'eq', value: 'pro' }),
      action('mail', 'email', { subject: 'Hi', body: 'Welcome' }),
      waitActivity('opened', 'opened', hours(5)),
      waitEvent('bought', 'purchase', hours(7)),
      delayFor('pause', hours(3)),
      webhook('crm', 'wh_1'),
      exit('x1'),
      exit('x2'),
    ],
    [
      edge('t', 'next', 'vip'),
      edge('vip', 'yes', 'bought'),
      edge('vip', 'no', 'mail'),
      edge('mail', 'next', 'opened'),
      edge('opened', 'matched', 'crm'),
      edge('opened', 'timeout', 'bought'),
      edge('bought', 'matched', 'pause'),
      edge('bought', 'timeout', 'x2'),
      edge('pause', 'next', 'crm'),
      edge('crm', 'next', 'x1'),
    ],
  ),
  { reentry: 'afterExit' },
)

const renderer: EffectRenderer = {
  message: async (job) => ({ ok: true, rendered: { subject: job.message.subject } }),
  webhook: async (job) => ({ ok: true, rendered: { webhookId: job.webhookId } }),
}

type Step = { user: string; kind: 'signed_up' | 'purchase' | 'opened' | 'pro'; hour: number }

/** Each user's path as `kind:node>outlet`, for runs oldest first. */
function steps(runs: { history: { kind: string; nodeId: string; outlet: string | null }[] }[]): string[] {
  return runs.flatMap((r) => r.history.filter((h) => h.outlet !== null || !['message', 'webhook'].includes(h.kind)).map((h) => `${h.kind}:${h.nodeId}${h.outlet ? `>${h.outlet}` : ''}`))
}

/** The live engine on a fake clock, stepped through the same times, with the dispatcher's `.sent` reports. */
async function live(script: Step[], until: number): Promise<Map<string, string[]>> {
  const t = await openTestEngine()
  t.clock.set(START)
  const result = await t.engine.publish((await t.engine.createJourney(journey)).id, {})
  const journeyId = (await t.engine.listJourneys())[0]?.id ?? ''
  if (!result || !('version' in result)) throw new Error('publish failed')
  const lastMessage = new Map<string, string>()
  const settle = async () => {
    for (;;) {
      await t.engine.runUntilIdle()
      const claims = await t.engine.claimOutbox('message', 100)
      const hooks = await t.engine.claimOutbox('webhook', 100)
      if (claims.length + hooks.length === 0) return
      for (const c of claims) {
        if (c.job.kind !== 'message') continue
        lastMessage.set(c.job.context.user.id, c.job.id)
        await t.engine.messageSent(c.job, { providerId: 'simulation' })
      }
      await t.engine.completeOutbox([...claims, ...hooks].map((c) => c.id))
    }
  }
  const advance = async (to: number, inclusive: boolean) => {
    for (;;) {
      const due = await t.engine.nextTimerDue()
      if (due === null || due > to || (!inclusive && due === to)) break
      t.clock.set(Math.max(due, t.clock.now()))
      await settle()
    }
    t.clock.set(Math.max(to, t.clock.now()))
  }
  for (const [i, s] of script.entries()) {
    const at = START + s.hour * HOUR
    await advance(at, false)
    const event: IngestedEvent | null =
      s.kind === 'pro'
        ? identify(s.user, { plan: 'pro' }, at)
        : s.kind === 'opened'
          ? lastMessage.has(s.user)
            ? track(s.user, 'email.opened', { messageId: lastMessage.get(s.user), channel: 'email', status: 'opened' }, at, `sim_${i}`)
            : null
          : track(s.user, s.kind, {}, at, `sim_${i}`)
    if (event) await t.engine.ingest([event])
    await settle()
  }
  await advance(until, true)
  const out = new Map<string, string[]>()
  for (const user of new Set(script.map((s) => s.user))) out.set(user, steps((await t.engine.userRuns(journeyId, user)).reverse()))
  await t.engine.close()
  return out
}

describe('the virtual-clock runner', () => {
  it('takes every user down the path the live engine takes on a real clock, for any script', async () => {
    const stepArb = fc.record({ user: fc.constantFrom('a', 'b', 'c'), kind: fc.constantFrom('signed_up', 'purchase', 'opened', 'pro'), hour: fc.integer({ min: 0, max: 30 }) }) as fc.Arbitrary<Step>
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 12 }), async (raw) => {
        const script = [...raw].sort((x, y) => x.hour - y.hour)
        const until = START + 40 * HOUR
        const expected = await live(script, until)
        const sim = await simulateJourney({
          journey: { id: 'jny_test', name: 'Every step', graph: journey.graph, settings: journey.settings },
          references: {},
          renderer,
          start: START,
          until,
          users: [],
          events: script.map((s) =>
            s.kind === 'pro'
              ? { at: '+0s', atMs: START + s.hour * HOUR, userId: s.user, type: 'identify' as const, traits: { plan: 'pro' } }
              : s.kind === 'opened'
                ? { at: '+0s', atMs: START + s.hour * HOUR, userId: s.user, type: 'track' as const, activity: { status: 'opened' as const } }
                : { at: '+0s', atMs: START + s.hour * HOUR, userId: s.user, type: 'track' as const, event: s.kind },
          ),
        })
        if (!sim.ok) throw new Error(JSON.stringify(sim.issues))
        for (const u of sim.answer.users) expect(steps([{ history: u.path }]), u.userId).toEqual(expected.get(u.userId) ?? [])
      }),
      { numRuns: 25 },
    )
  })
})
