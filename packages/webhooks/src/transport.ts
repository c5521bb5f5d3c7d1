import { performance } from 'node:perf_hooks'
import { Agent, buildConnector, request } from 'undici'
import type { AddressGuard, GuardResult } from './address-guard'
import { parseIp } from './ip'

export interface OutboundRequest {
  url: string
  /** POST unless given (the HTTP channel provider may PUT). */
  method?: string
  headers: Record<string, string>
  body: string
  timeoutMs: number
}

/**
 * What happened to one request. Never throws for anything the network or the receiver can do:
 * refused (the address guard said no, permanent), network (connection failed, retryable), timeout.
 * A failed connection is described in this package's own words (`could not reach host`), never
 * with the peer's bytes: an error must not turn the sender into a banner grabber.
 */
export type TransportResult =
  | {
      kind: 'response'
      status: number
      retryAfter: string | null
      location: string | null
      /** Response headers, lower-cased names, the first value of each. */
      headers: Record<string, string>
      /** The first 64 KB of the answer's body. */
      text: string
      durationMs: number
    }
  | { kind: 'refused'; error: string; durationMs: number }
  | { kind: 'network'; error: string; durationMs: number }
  | { kind: 'timeout'; error: string; durationMs: number }

export interface Transport {
  send(req: OutboundRequest): Promise<TransportResult>
  close(): Promise<void>
}

/** Carries the guard's verdict out of undici's connector to `send`. */
class GuardRefusal extends Error {
  constructor(
    readonly kind: 'refused' | 'unresolved',
    message: string,
  ) {
    super(message)
  }
}

class RequestTimeout extends Error {}

/** How much of a response body is read before the socket is dropped. */
const MAX_RESPONSE_BYTES = 64 * 1024

/**
 * POSTs with undici through a connector that asks the address guard first and then dials the
 * address the guard checked, with the TLS server name and Host header still the URL's host. The
 * check and the connect use the same resolution, so DNS rebinding cannot slip another address in.
 * Redirects are never followed: undici's `request` does not, and no redirect interceptor is added.
 */
export function createTransport(options: { guard: AddressGuard; connectTimeoutMs?: number }): Transport {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000
  const base = buildConnector({ timeout: connectTimeoutMs })
  const connect: buildConnector.connector = (connectOptions, callback) => {
    // A lookup that never answers would hold this connection slot for ever: it gets the connect timeout too.
    let timer: NodeJS.Timeout | undefined
    const lookupDeadline = new Promise<GuardResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, kind: 'unresolved', error: `could not resolve ${connectOptions.hostname} (timed out)` }), connectTimeoutMs)
    })
    Promise.race([options.guard.check(connectOptions.hostname), lookupDeadline]).finally(() => clearTimeout(timer)).then(
      (verdict) => {
        if (!verdict.ok) {
          callback(new GuardRefusal(verdict.kind, verdict.error), null)
          return
        }
        const isLiteral = parseIp(connectOptions.hostname) !== null
        base(
          {
            ...connectOptions,
            hostname: verdict.address,
            servername: connectOptions.servername ?? (isLiteral ? undefined : connectOptions.hostname),
          },
          callback,
        )
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error('address check failed'), null),
    )
  }
  const agent = new Agent({ connect, keepAliveTimeout: 4_000 })

  return {
    async send(req) {
      const started = performance.now()
      const elapsed = () => Math.round(performance.now() - started)
      const controller = new AbortController()
      let timer: NodeJS.Timeout | undefined
      // The deadline covers everything: the guard's DNS lookup and the connect as well as the
      // answer. Undici does not see an abort while its connector is still resolving, so the
      // deadline answers by itself and the late connect is dropped when it comes.
      const deadline = new Promise<TransportResult>((resolve) => {
        timer = setTimeout(() => {
          controller.abort(new RequestTimeout())
          resolve({ kind: 'timeout', error: `no answer within ${req.timeoutMs} ms`, durationMs: elapsed() })
        }, req.timeoutMs)
      })
      const attempt = async (): Promise<TransportResult> => {
        try {
          const res = await request(req.url, {
            method: req.method ?? 'POST',
            headers: req.headers,
            body: req.body,
            dispatcher: agent,
            signal: controller.signal,
            headersTimeout: req.timeoutMs,
            bodyTimeout: req.timeoutMs,
          })
          const text = await readCapped(res.body)
          const headers: Record<string, string> = {}
          for (const [name, value] of Object.entries(res.headers)) {
            const first = header(value)
            if (first !== null) headers[name.toLowerCase()] = first
          }
          return {
            kind: 'response',
            status: res.statusCode,
            retryAfter: headers['retry-after'] ?? null,
            location: headers['location'] ?? null,
            headers,
            text,
            durationMs: elapsed(),
          }
        } catch (err) {
          return classifyError(err, controller.signal, req, elapsed())
        }
      }
      try {
        return await Promise.race([attempt(), deadline])
      } finally {
        clearTimeout(timer)
      }
    },
    /** Drops every connection, a pending lookup's included; the service calls it once nothing it waits for is in flight. */
    async close() {
      await agent.destroy()
    },
  }
}

function header(value: string | string[] | undefined): string | null {
  if (value === undefined) return null
  return Array.isArray(value) ? (value[0] ?? null) : value
}

/** Reads at most MAX_RESPONSE_BYTES of an answer, so a huge one cannot exhaust memory. */
async function readCapped(body: AsyncIterable<unknown> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of body) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
      chunks.push(bytes)
      size += bytes.byteLength
      if (size >= MAX_RESPONSE_BYTES) {
        body.destroy()
        break
      }
    }
  } catch {
    // An answer cut off halfway still has its status; what came is kept.
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8')
}

/** Certificate and handshake failures, told apart from unreachable hosts because the fix differs. */
const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/

function classifyError(err: unknown, signal: AbortSignal, req: OutboundRequest, durationMs: number): TransportResult {
  const { timeoutMs } = req
  const refusal = findCause(err, (e) => e instanceof GuardRefusal)
  if (refusal instanceof GuardRefusal) {
    return refusal.kind === 'refused'
      ? { kind: 'refused', error: refusal.message, durationMs }
      : { kind: 'network', error: refusal.message, durationMs }
  }
  const code = errorCode(err)
  if (signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { kind: 'timeout', error: `no answer within ${timeoutMs} ms`, durationMs }
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { kind: 'timeout', error: 'connect timed out', durationMs }
  // Our words only: neither the request (it holds the auth header) nor the peer's bytes, and the
  // same words for a closed port as for one that answered garbage.
  const host = hostOf(req.url)
  if (code !== null && TLS_ERROR.test(code)) return { kind: 'network', error: `TLS handshake with ${host} failed`, durationMs }
  return { kind: 'network', error: `could not reach ${host}`, durationMs }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'the host'
  }
}

function findCause(err: unknown, match: (e: unknown) => boolean): unknown {
  let current = err
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    if (match(current)) return current
    current = current instanceof Error ? current.cause : undefined
  }
  return null
}

function errorCode(err: unknown): string | null {
  const found = findCause(err, (e) => e instanceof Error && 'code' in e && typeof e.code === 'string')
  return found instanceof Error && 'code' in found && typeof found.code === 'string' ? found.code : null
}
