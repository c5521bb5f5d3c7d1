import Database from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Receiver, sampleJob, startReceiver, tempDbPath, testService } from './testing'

/**
 * When the dispatcher looks for due deliveries, on the timers' own clock: it is woken by an
 * enqueue, and otherwise sleeps until the soonest delivery is due instead of polling.
 */
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(closers.splice(0).map((c) => c()))
})

/** Lets real sockets and the store's promises move while the fake timers stand still. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve))
}

describe('the dispatcher’s wake-ups', () => {
  it('sleeps while nothing is due, is woken by an enqueue, and looks again when a retry falls due', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const receiver: Receiver = await startReceiver()
    closers.push(() => receiver.close())
    let looks = 0
    const db = new Database(tempDbPath(), { verbose: (sql) => void (String(sql).includes('FROM webhooks w WHERE EXISTS') && looks++) })
    const { service } = await testService({ backend: { kind: 'sqlite', db }, clock: { now: () => Date.now() }, pollIntervalMs: 100 })
    closers.push(() => service.close())
    const created = await service.create({ name: 'CRM', url: `${receiver.url}/hooks` })
    if (!created.ok) throw new Error(created.message)

    service.start()
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    // Ten idle minutes: one look a minute at most, where polling every 100 ms made 6,000.
    expect(looks).toBeLessThanOrEqual(11)

    // The endpoint fails once: the enqueue wakes the dispatcher at once, the retry waits for its time.
    receiver.reply = () => ({ status: 503 })
    await service.enqueue(sampleJob(created.value.id))
    await vi.advanceTimersByTimeAsync(0)
    await until(() => receiver.requests.length === 1)
    expect(receiver.requests).toHaveLength(1)
    receiver.reply = () => ({ status: 200 })
    await until(() => false)
    const listed = await service.deliveries(created.value.id)
    const failed = listed.ok ? listed.value[0] : undefined
    expect(failed?.status).toBe('failed')
    const dueIn = Date.parse(failed?.nextAttemptAt ?? '') - Date.now()
    expect(dueIn).toBeGreaterThan(100)

    await vi.advanceTimersByTimeAsync(dueIn - 50)
    await until(() => false)
    expect(receiver.requests).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(100)
    await until(() => receiver.requests.length === 2)
    expect(receiver.requests).toHaveLength(2)
  })
})
