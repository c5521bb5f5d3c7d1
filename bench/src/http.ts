import { readFileSync } from 'node:fs'
import { netcoreJourney } from './netcore'
import { api, runChild, startServer, type ServerProcess } from './server'
import { progress, round, sleep, tempDir } from './util'

interface LoadResult {
  requests: number
  requestsPerSecond: number
  ok: number
  non2xx: number
  errors: number
  timeouts: number
  seconds: number
  p50: number
  p99: number
  max: number
}

export interface HttpResult {
  batch: LoadResult & { eventsPerSecond: number; serverCpuSeconds: number; eventsPerServerCpuSecond: number }
  track: LoadResult & { serverCpuSeconds: number; requestsPerServerCpuSecond: number }
  trackAt5k: LoadResult & { serverCpuSeconds: number }
  journalRows: number
  engineLagAtEnd: number
  note: string
}

function objectField(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && key in value ? Object.getOwnPropertyDescriptor(value, key)?.value : undefined
}

/** Publishes the Netcore journey through the API, with a webhook configured if the server has them. */
export async function publishNetcore(url: string): Promise<string | null> {
  const hook = await api(url, 'POST', '/api/webhooks', { name: 'bench call centre', url: 'http://127.0.0.1:9/hook' })
  const webhookId = hook.status === 201 ? String(objectField(hook.json, 'id')) : 'whk_bench'
  const input = netcoreJourney()
  const text = JSON.stringify(input).replaceAll('whk_bench', webhookId)
  const created = await api(url, 'POST', '/api/journeys', JSON.parse(text))
  const id = objectField(created.json, 'id')
  if (typeof id !== 'string') return null
  const published = await api(url, 'POST', `/api/journeys/${id}/publish`)
  if (published.status !== 200) {
    progress(`  warning: publishing the Netcore journey answered ${published.status}: ${JSON.stringify(published.json).slice(0, 300)}`)
    return null
  }
  return id
}

/** CPU seconds a process has used (user + system), from /proc; NaN elsewhere. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

async function load(server: ServerProcess, o: { path: string; kind: 'batch' | 'track'; seconds: number; connections: number; rate?: number; tag: string }): Promise<LoadResult & { serverCpuSeconds: number }> {
  // Distinct bodies for 150,000 events/s or 15,000 requests/s over the run.
  const prebuild = Math.ceil(o.seconds * (o.kind === 'batch' ? 1_500 : (o.rate ?? 15_000)))
  const cpu0 = cpuSeconds(server.child.pid)
  const result = await runChild<LoadResult>('src/load.ts', [JSON.stringify({ url: server.url, users: 100_000, batchSize: 100, prebuild, ...o })])
  return { ...result, serverCpuSeconds: round(cpuSeconds(server.child.pid) - cpu0, 2) }
}

async function pending(url: string): Promise<number> {
  const h = await api(url, 'GET', '/healthz')
  const p = objectField(h.json, 'pendingEvents')
  return typeof p === 'number' ? p : -1
}

/**
 * (3) HTTP ingestion against the real server process, with autocannon in a third process.
 * The Netcore journey is live, so the engine loop reads every accepted event while the load
 * runs; the events (`product_viewed`) start no run. Accepted = answered 200, which the server
 * gives only after the journal commit.
 */
export async function httpIngestion(seconds: number): Promise<HttpResult> {
  const tmp = tempDir('http')
  const server = await startServer(tmp.file)
  try {
    const journeyId = await publishNetcore(server.url)
    progress(`  server up at ${server.url} in ${Math.round(server.startedMs)} ms; Netcore journey ${journeyId ?? 'NOT published'}`)
    await load(server, { path: '/v1/track', kind: 'track', seconds: 2, connections: 20, tag: 'warm' })
    progress(`  /v1/batch (100 events a request), ${seconds} s...`)
    const batch = await load(server, { path: '/v1/batch', kind: 'batch', seconds, connections: 16, tag: 'batch' })
    const lagAfterBatch = await pending(server.url)
    progress(`  batch: ${Math.round(batch.requestsPerSecond * 100)} events/s, p99 ${batch.p99} ms; engine backlog ${lagAfterBatch}; letting the engine catch up...`)
    for (let i = 0; i < 120 && (await pending(server.url)) > 0; i++) await sleep(500)
    progress(`  /v1/track, ${seconds} s...`)
    const track = await load(server, { path: '/v1/track', kind: 'track', seconds, connections: 64, tag: 'track' })
    progress(`  track: ${Math.round(track.requestsPerSecond)} req/s, p99 ${track.p99} ms`)
    for (let i = 0; i < 120 && (await pending(server.url)) > 0; i++) await sleep(500)
    progress(`  /v1/track at a steady 5,000 requests/s, ${seconds} s...`)
    const trackAt5k = await load(server, { path: '/v1/track', kind: 'track', seconds, connections: 64, rate: 5000, tag: 'rate' })
    progress(`  track at 5k/s: p50 ${trackAt5k.p50} ms, p99 ${trackAt5k.p99} ms`)
    const lag = await pending(server.url)
    const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text())
    const accepted = Number(/switchyard_events_accepted_total (\d+)/.exec(metrics)?.[1] ?? Number.NaN)
    return {
      batch: { ...batch, eventsPerSecond: round(batch.requestsPerSecond * 100), eventsPerServerCpuSecond: round((batch.ok * 100) / batch.serverCpuSeconds) },
      track: { ...track, requestsPerServerCpuSecond: round(track.ok / track.serverCpuSeconds) },
      trackAt5k,
      journalRows: accepted,
      engineLagAtEnd: lag,
      note: `engine backlog right after the batch run: ${lagAfterBatch} events`,
    }
  } finally {
    await server.stop()
    tmp.cleanup()
  }
}
