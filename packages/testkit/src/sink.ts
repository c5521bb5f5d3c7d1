import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
  at: number
}

export type SinkResponder = (req: ReceivedRequest, index: number) => { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }

/** A real HTTP receiver on 127.0.0.1 that records what it is sent, for outbound tests. */
export class WebhookSink {
  readonly received: ReceivedRequest[] = []
  private server: Server | null = null
  private waiters: { n: number; resolve: () => void }[] = []
  respond: SinkResponder = () => ({ status: 200, body: 'ok' })

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const r: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        }
        const index = this.received.push(r) - 1
        const answer = this.respond(r, index)
        const send = () => {
          res.writeHead(answer.status, answer.headers ?? { 'content-type': 'text/plain' })
          res.end(answer.body ?? '')
        }
        if (answer.delayMs) setTimeout(send, answer.delayMs)
        else send()
        this.waiters = this.waiters.filter((w) => {
          if (this.received.length >= w.n) w.resolve()
          return this.received.length < w.n
        })
      })
    })
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    return this.url
  }

  get url(): string {
    const address = this.server?.address()
    if (address === null || address === undefined || typeof address === 'string') throw new Error('sink not started')
    const info: AddressInfo = address
    return `http://127.0.0.1:${info.port}`
  }

  /** Resolves once `n` requests in all have arrived. */
  waitFor(n: number, timeoutMs = 10_000): Promise<void> {
    if (this.received.length >= n) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sink: ${this.received.length} of ${n} requests after ${timeoutMs} ms`)), timeoutMs)
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      })
    })
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
    this.server?.closeAllConnections()
  }
}
