import { describe, expect, it } from 'vitest'
import { loadExample } from '@switchyard/testkit'
import type { MessageJob, WebhookJob } from '@switchyard/schema'
import { openTestEngine, publish, send, track } from '../test/harness'
import { OutboxRelay, type HandlerResult, type RelayLog } from './relay'

const HOUR = 3_600_000
const quiet: RelayLog = { info: () => {}, warn: () => {}, error: () => {} }

/** Resolves when `n` calls have been seen. */
function calls<T>() {
  const seen: T[][] = []
  const waiters: { n: number; resolve: () => void }[] = []
  return {
    seen,
    record(batch: readonly T[]) {
      seen.push([...batch])
      for (const w of waiters.filter((w) => seen.length >= w.n)) w.resolve()
    },
    reached: (n: number) => new Promise<void>((resolve) => (seen.length >= n ? resolve() : waiters.push({ n, resolve }))),
  }
}

describe('outbox relay', () => {
  it('wakes when a commit queues side effects, not on a timer, and hands each kind over as one batch', async () => {
    const t = await openTestEngine()
    await publish(t.engine, loadExample('netcore-cart-rcs', 'wh_cc'))
    const messages = calls<MessageJob>()
    const webhooks = calls<WebhookJob>()
    // An hour between looks: only a wake-up can deliver within the test's time.
    const relay = new OutboxRelay(
      t.engine,
      {
        message: async (jobs) => (messages.record(jobs), jobs.map(() => undefined)),
        webhook: async (jobs) => (webhooks.record(jobs), jobs.map(() => undefined)),
      },
      quiet,
      { retryDelay: () => HOUR, maxIdleMs: HOUR },
    )
    relay.start()
    try {
      await send(t.engine, track('ann', 'add_to_cart'), track('bob', 'add_to_cart'))
      await messages.reached(1)
      expect(messages.seen.flat().map((j) => j.context.user.id).sort()).toEqual(['ann', 'bob'])
      expect(messages.seen).toHaveLength(1)
      expect(await t.engine.nextOutboxDue()).toBeNull()
    } finally {
      await relay.stop()
    }
  })

  it('wakes a deferred job at its time and retries a failed one after the delay, each settled in the batch', async () => {
    const t = await openTestEngine()
    await publish(t.engine, loadExample('netcore-cart-rcs', 'wh_cc'))
    const messages = calls<MessageJob>()
    let turn = 0
    const relay = new OutboxRelay(
      t.engine,
      {
        message: async (jobs): Promise<HandlerResult[]> => {
          messages.record(jobs)
          turn += 1
          // First a hold until 50 ms later (and the fake clock moves there), then a failure, then done.
          if (turn === 1) {
            const retryAt = t.clock.now() + 50
            t.clock.advance(50)
            return jobs.map(() => ({ retryAt, outcome: { kind: 'message', messageId: null, detail: { status: 'held' } } }))
          }
          if (turn === 2) return jobs.map(() => ({ error: 'provider down' }))
          return jobs.map(() => undefined)
        },
        webhook: async (jobs) => jobs.map(() => undefined),
      },
      quiet,
      { retryDelay: (attempts) => (t.clock.advance(20 * attempts), 20 * attempts), maxIdleMs: HOUR },
    )
    relay.start()
    try {
      await send(t.engine, track('ann', 'add_to_cart'))
      await messages.reached(3)
      // Stopping finishes the pass in hand, its settlement included.
      await relay.stop()
      expect(messages.seen.map((b) => b.map((j) => j.context.user.id))).toEqual([['ann'], ['ann'], ['ann']])
      expect(await t.engine.pending()).toMatchObject({ outbox: 0 })
      const runs = await t.engine.userRuns((await t.engine.listJourneys())[0]?.id ?? '', 'ann')
      expect(runs[0]?.history.filter((h) => h.kind === 'message' && h.outlet === null).map((h) => h.detail)).toEqual([{ status: 'held' }])
    } finally {
      await relay.stop()
    }
  })
})
