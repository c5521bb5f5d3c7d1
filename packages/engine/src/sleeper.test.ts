import { describe, expect, it } from 'vitest'
import { Sleeper } from './sleeper'

const HOUR = 3_600_000

/** Whether the promise has settled once pending callbacks have run. */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false
  void p.then(() => (done = true))
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

describe('Sleeper', () => {
  it('ends a sleep in progress when woken', async () => {
    const s = new Sleeper()
    const sleeping = s.sleep(HOUR)
    expect(await settled(sleeping)).toBe(false)
    s.wake()
    expect(await settled(sleeping)).toBe(true)
  })

  it('keeps a wake that came while no sleep was in progress, and ends only the next sleep with it', async () => {
    const s = new Sleeper()
    s.wake()
    s.wake()
    expect(await settled(s.sleep(HOUR))).toBe(true)
    const after = s.sleep(HOUR)
    expect(await settled(after)).toBe(false)
    s.wake()
    await after
  })

  it('does not carry a wake that ended a sleep over to the next one', async () => {
    const s = new Sleeper()
    const first = s.sleep(HOUR)
    s.wake()
    await first
    const second = s.sleep(HOUR)
    expect(await settled(second)).toBe(false)
    s.wake()
    await second
  })
})
