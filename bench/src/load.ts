/**
 * The load generator, run as its own process so that it does not share the server's event loop:
 * `node --import tsx src/load.ts '<json options>'` prints one JSON result line on stdout.
 */
import autocannon from 'autocannon'

interface LoadOptions {
  url: string
  path: string
  kind: 'batch' | 'track'
  seconds: number
  connections: number
  /** Requests per second over all connections; absent means as fast as the server answers. */
  rate?: number
  batchSize?: number
  users: number
  tag: string
  prebuild?: number
  /** The track event's name; `product_viewed` (starts no run) unless told. */
  event?: string
}

const options: LoadOptions = JSON.parse(process.argv[2] ?? '{}')
let n = 0

function trackItem(): Record<string, unknown> {
  n++
  return { type: 'track', userId: `u-${n % options.users}`, event: options.event ?? 'product_viewed', messageId: `${options.tag}-${n}`, properties: { sku: `sku-${n % 997}`, price: 499 } }
}

function makeBody(): string {
  if (options.kind === 'track') return JSON.stringify(trackItem())
  const batch: Record<string, unknown>[] = []
  for (let i = 0; i < (options.batchSize ?? 100); i++) batch.push(trackItem())
  return JSON.stringify({ batch })
}

// Bodies are built before the clock starts, so that the generator spends its time sending:
// enough distinct ones for the run at the target rates, then built on demand if it runs out.
const prebuilt: string[] = []
for (let i = 0; i < (options.prebuild ?? 0); i++) prebuilt.push(makeBody())
let next = 0
const body = () => prebuilt[next++] ?? makeBody()

function report(error: unknown, r: autocannon.Result): void {
  if (error) throw error
  const result = {
    requests: r.requests.total,
    requestsPerSecond: r.requests.total / (r.duration || options.seconds),
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    seconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

autocannon(
  {
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
    requests: [
      {
        method: 'POST',
        path: options.path,
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: body() }),
      },
    ],
  },
  report,
)
