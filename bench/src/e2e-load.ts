/**
 * The end-to-end load generator, in its own process: every user is identified (with an email
 * address) and then tracked with the journey's trigger event, `batchSize` events a `/v1/batch`
 * request, `inFlight` requests at a time over keep-alive connections. Bodies are built before
 * the clock starts. Prints `{"start": <epoch ms>}` when the first request leaves and one JSON
 * result line at the end.
 */
import { Agent, request } from 'node:http'
import { performance } from 'node:perf_hooks'

interface Options {
  url: string
  users: number
  batchSize: number
  inFlight: number
  event: string
  tag: string
  /** Users offered per second (each request at its time, whatever the answers); absent: as fast as `inFlight` allows. */
  usersPerSecond?: number
  /** The first user's number (`e2e-<n>`); default 0. */
  firstUser?: number
}

const o: Options = JSON.parse(process.argv[2] ?? '{}')
const target = new URL(o.url)
const agent = new Agent({ keepAlive: true, maxSockets: o.usersPerSecond ? 64 : o.inFlight })

const events: Record<string, unknown>[] = []
for (let i = o.firstUser ?? 0; i < (o.firstUser ?? 0) + o.users; i++) {
  const userId = `e2e-${i}`
  events.push({ type: 'identify', userId, traits: { email: `u${i}@example.com`, name: `U${i}` }, messageId: `${o.tag}-i-${i}` })
  events.push({ type: 'track', userId, event: o.event, properties: { plan: 'trial' }, messageId: `${o.tag}-t-${i}` })
}
const bodies: Buffer[] = []
for (let i = 0; i < events.length; i += o.batchSize) bodies.push(Buffer.from(JSON.stringify({ batch: events.slice(i, i + o.batchSize) })))

function post(body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: target.hostname, port: target.port, path: '/v1/batch', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

async function main(): Promise<void> {
  let next = 0
  let ok = 0
  let refused = 0
  const latencies: number[] = []
  process.stdout.write(`${JSON.stringify({ start: Date.now() })}\n`)
  const t0 = performance.now()
  const lane = async () => {
    for (;;) {
      const body = bodies[next++]
      if (body === undefined) return
      const t = performance.now()
      const status = await post(body)
      latencies.push(performance.now() - t)
      if (status === 200) ok++
      else refused++
    }
  }
  // Fixed rate: request i leaves at its time (each carries batchSize / 2 users), answered or not.
  const paced = async () => {
    const rate = o.usersPerSecond ?? 0
    const pending: Promise<void>[] = []
    for (let i = 0; i < bodies.length; i++) {
      const due = t0 + (i * (o.batchSize / 2) * 1000) / rate
      const wait = due - performance.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      const body = bodies[i] as Buffer
      const t = performance.now()
      pending.push(
        post(body).then((status) => {
          latencies.push(performance.now() - t)
          if (status === 200) ok++
          else refused++
        }),
      )
    }
    await Promise.all(pending)
  }
  await (o.usersPerSecond ? paced() : Promise.all(Array.from({ length: o.inFlight }, lane)))
  const seconds = (performance.now() - t0) / 1000
  latencies.sort((a, b) => a - b)
  const p = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN)
  agent.destroy()
  process.stdout.write(`${JSON.stringify({ end: Date.now(), seconds, requests: bodies.length, ok, refused, events: events.length, requestP50: p(0.5), requestP99: p(0.99) })}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`e2e load failed: ${String(error)}\n`)
  process.exit(1)
})
