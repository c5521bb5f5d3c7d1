import { performance } from 'node:perf_hooks'
import { Engine, EngineRunner, SqliteEngineStore, openDatabase, systemClock } from '@switchyard/engine'
import type { IngestedEvent } from '@switchyard/schema'
import { cartEvent } from './netcore'
import { percentile, progress, round, sleep, sortNumbers, tempDir } from './util'

export interface LatencyResult {
  rate: number
  seconds: number
  events: number
  p50: number
  p95: number
  p99: number
  max: number
}

/**
 * (4) Ingest-to-transition latency at a steady rate, in process: every 10 ms the due share of
 * events is ingested (journal commit), and the engine runner applies them in the background as
 * the server runs it. Latency = the commit that applied an event minus its `receivedAt`,
 * reported by the engine's `onApplied` hook. Half the events start a Netcore run (add_to_cart,
 * new user), half are page views of users already waiting.
 */
export async function ingestToTransition(rate: number, seconds: number): Promise<LatencyResult> {
  const tmp = tempDir('latency')
  const latencies: number[] = []
  const store = new SqliteEngineStore(openDatabase(tmp.file))
  const engine = await Engine.open({
    store,
    clock: systemClock,
    workspace: 'bench',
    onApplied: (a) => {
      if (a.kind === 'events') for (const t of a.since) latencies.push(a.committedAt - t)
    },
  })
  const j = await engine.createJourney((await import('./netcore')).netcoreJourney())
  const published = await engine.publish(j.id)
  if (!published?.ok) throw new Error('latency: publishing failed')
  const runner = new EngineRunner(engine)
  runner.start()
  const start = performance.now()
  let sent = 0
  let k = 0
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate)
    const now = Date.now()
    const events: IngestedEvent[] = []
    for (; sent < due; sent++) {
      if (sent % 2 === 0) events.push(cartEvent(k++, now))
      else events.push({ messageId: `view-${sent}`, type: 'track', userId: `user-${Math.floor(k / 2)}`, event: 'product_viewed', properties: { sku: 'x' }, timestamp: now, receivedAt: now })
    }
    if (events.length > 0) await engine.ingest(events)
    await sleep(10 - ((performance.now() - start) % 10))
  }
  while ((await engine.lag()).pending > 0) await sleep(20)
  await runner.stop()
  await engine.close()
  tmp.cleanup()
  const sorted = sortNumbers(latencies)
  progress(`  ${sorted.length} events applied`)
  return {
    rate,
    seconds,
    events: sent,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  }
}
