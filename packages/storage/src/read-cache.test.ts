import { describe, expect, it } from 'vitest'
import { costBoundedCache } from './read-cache'

/** A read that takes `costMs` on a fake clock and answers how many times it ran. */
function slowRead(costMs: () => number) {
  let t = 1_000
  let runs = 0
  const clock = { now: () => t, advance: (ms: number) => void (t += ms) }
  const load = async (key: string): Promise<string> => {
    runs++
    clock.advance(costMs())
    return `${key}#${runs}`
  }
  return { clock, load, runs: () => runs }
}

describe('costBoundedCache', () => {
  it('reuses a slow answer for ten times its cost, then reads again', async () => {
    const r = slowRead(() => 200)
    const get = costBoundedCache(r.load, { now: r.clock.now })
    expect(await get('j1')).toBe('j1#1')
    r.clock.advance(1_999)
    expect(await get('j1')).toBe('j1#1')
    r.clock.advance(1)
    expect(await get('j1')).toBe('j1#2')
    expect(r.runs()).toBe(2)
  })

  it('reads again at once when the read cost nothing, so small data is always fresh', async () => {
    const r = slowRead(() => 0)
    const get = costBoundedCache(r.load, { now: r.clock.now })
    expect(await get('j1')).toBe('j1#1')
    expect(await get('j1')).toBe('j1#2')
  })

  it('keeps each key apart, caps the reuse at maxMs, and shares one read among concurrent callers', async () => {
    const r = slowRead(() => 10_000)
    const get = costBoundedCache(r.load, { now: r.clock.now, maxMs: 30_000 })
    const [a, b] = await Promise.all([get('j1'), get('j1')])
    expect([a, b]).toEqual(['j1#1', 'j1#1'])
    expect(await get('j2')).toBe('j2#2')
    r.clock.advance(20_000) // j1 finished 30 s ago: at the cap, though its cost alone would keep it 100 s
    expect(await get('j1')).toBe('j1#3')
  })

  it('does not keep a failed read: the next caller reads again', async () => {
    let fail = true
    let t = 0
    const get = costBoundedCache(
      async () => {
        t += 500
        if (fail) throw new Error('database is locked')
        return 'ok'
      },
      { now: () => t },
    )
    await expect(get('j1')).rejects.toThrow('database is locked')
    fail = false
    expect(await get('j1')).toBe('ok')
  })
})
