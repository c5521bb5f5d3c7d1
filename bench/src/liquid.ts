import { performance } from 'node:perf_hooks'
import { createLiquidPool } from '@switchyard/webhooks'
import { percentile, round } from './util'

const LIMITS = { parseLimit: 65_536, renderLimit: 200, memoryLimit: 4 * 1024 * 1024, outputLimit: 256 * 1024, maxArray: 10_000, deadlineMs: 400, strictFilters: false }
const TEMPLATE = 'Hi {{ user.traits.FIRSTNAME | default: "there" }}, your {{ event.properties.items | size }} items are waiting in {{ user.traits.CITY }}.'
const HOSTILE = '{{ (1..1000000) | where_exp: "x", "x > 5" | size }}'

/**
 * Untrusted Liquid renders on worker threads (see packages/webhooks README): what one ordinary
 * message render costs there, renders a second with `concurrency` in flight, and how long the
 * event loop answers a timer while hostile templates are being cut off.
 */
export async function liquidRenders(count: number, concurrency = 64): Promise<{ rendersPerSecond: number; p50Ms: number; p99Ms: number; hostileCutOffMs: number; loopLagMaxMs: number }> {
  const pool = createLiquidPool()
  pool.warm()
  const scope = (i: number) => ({ user: { id: `u${i}`, traits: { FIRSTNAME: 'Asha', CITY: 'Pune' } }, event: { properties: { items: [1, 2, 3] } } })
  await Promise.all(Array.from({ length: 50 }, (_, i) => pool.render(TEMPLATE, scope(i), LIMITS)))
  const latencies: number[] = []
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++
        const t = performance.now()
        const out = await pool.render(TEMPLATE, scope(i), LIMITS)
        if (!out.ok) throw new Error(out.error)
        latencies.push(performance.now() - t)
      }
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  // The event loop while two hostile renders run to their deadline.
  let lagMax = 0
  let last = performance.now()
  const tick = setInterval(() => {
    const now = performance.now()
    lagMax = Math.max(lagMax, now - last - 10)
    last = now
  }, 10)
  const h0 = performance.now()
  await Promise.all([pool.render(HOSTILE, {}, LIMITS), pool.render(HOSTILE, {}, LIMITS)])
  const hostileCutOffMs = performance.now() - h0
  clearInterval(tick)
  await pool.close()
  latencies.sort((a, b) => a - b)
  return { rendersPerSecond: Math.round(count / seconds), p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2), hostileCutOffMs: Math.round(hostileCutOffMs), loopLagMaxMs: Math.round(lagMax) }
}
