import { describe, expect, it } from 'vitest'
import { loadExample } from '@switchyard/testkit'
import type { MessageJob, WebhookJob } from '@switchyard/schema'
import { openTestEngine, publish, send, track } from '../test/harness'
import type { JoinedWrite } from '@switchyard/storage'
import { sentEvent } from './outcomes'
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
    // The relay's line per batch, logged once the batch is settled.
    const settled = calls<string>()
    // An hour between looks: only a wake-up can deliver within the test's time.
    const relay = new OutboxRelay(
      t.engine,
      {
        message: async (jobs) => (messages.record(jobs), jobs.map(() => undefined)),
        webhook: async (jobs) => (webhooks.record(jobs), jobs.map(() => undefined)),
      },
      { ...quiet, info: (msg) => settled.record([msg]) },
      { retryDelay: () => HOUR, maxIdleMs: HOUR },
    )
    relay.start()
    try {
      await send(t.engine, track('ann', 'add_to_cart'), track('bob', 'add_to_cart'))
      await settled.reached(1)
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

  it("commits a batch's journal events, outcome rows, completions and its handler's joined writes in one transaction, or none of them", async () => {
    const t = await openTestEngine()
    await publish(t.engine, loadExample('netcore-cart-rcs', 'wh_cc'))
    await send(t.engine, track('ann', 'add_to_cart'), track('bob', 'add_to_cart'))
    const journeyId = (await t.engine.listJourneys())[0]?.id ?? ''
    const seen = { ran: 0, inTransaction: 0, committed: 0 }
    const joined = (refuse: boolean): JoinedWrite => ({
      sqlite(db) {
        seen.ran++
        if (db.inTransaction) seen.inTransaction++
        if (refuse) throw new Error('joined write refused')
      },
      async postgres(client) {
        seen.ran++
        // The settlement deleted outbox rows before this: inside its transaction, an id is assigned.
        const { rows } = await client.query<{ x: string | null }>('SELECT txid_current_if_assigned()::text AS x')
        if (rows[0]?.x != null) seen.inTransaction++
        if (refuse) throw new Error('joined write refused')
      },
      committed: () => void seen.committed++,
    })
    const relayWith = (refuse: boolean) =>
      new OutboxRelay(
        t.engine,
        {
          message: async (jobs) => ({
            results: jobs.map((job) => ({ outcome: { kind: 'message', messageId: job.id, detail: { status: 'sent' } }, events: [sentEvent(job, t.clock.now())] })),
            joined: [joined(refuse)],
          }),
        },
        quiet,
        { retryDelay: () => HOUR },
      )
    const written = async () => ({
      outbox: (await t.engine.pending()).outbox,
      sentEvents: (await t.store.readJournal(0, 1000)).filter((e) => e.messageId.startsWith('sent:')).length,
      outcomeRows: (await t.engine.userRuns(journeyId, 'ann')).flatMap((r) => r.history).filter((h) => h.kind === 'message' && h.outlet === null).length,
    })

    await expect(relayWith(true).drain()).rejects.toThrow('joined write refused')
    expect(await written()).toEqual({ outbox: 2, sentEvents: 0, outcomeRows: 0 })
    expect(seen).toEqual({ ran: 1, inTransaction: 1, committed: 0 })

    expect(await relayWith(false).drain()).toBe(2)
    expect(await written()).toEqual({ outbox: 0, sentEvents: 2, outcomeRows: 1 })
    expect(seen).toEqual({ ran: 2, inTransaction: 2, committed: 1 })
  })
})
