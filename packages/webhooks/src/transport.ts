import { performance } from 'node:perf_hooks'
import { Agent, buildConnector, request } from 'undici'
import type { AddressGuard, GuardResult } from './address-guard'
import { parseIp } from './ip'

export interface OutboundRequest {
  url: string
  headers: Record<string, string>
  body: string
  timeoutMs: number
}

/**
 * What happened to one POST. Never throws for anything the network or the receiver can do:
 * refused (the address guard said no, permanent), network (connection failed, retryable), timeout.
 */
export type TransportResult =
  | { kind: 'response'; status: number; retryAfter: string | null; location: string | null; durationMs: number }
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

/** How much of a response body is read (and thrown away) before the socket is dropped. */
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
            method: 'POST',
            headers: req.headers,
            body: req.body,
            dispatcher: agent,
            signal: controller.signal,
            headersTimeout: req.timeoutMs,
            bodyTimeout: req.timeoutMs,
          })
          await res.body.dump({ limit: MAX_RESPONSE_BYTES }).catch(() => undefined)
          return {
            kind: 'response',
            status: res.statusCode,
            retryAfter: header(res.headers['retry-after']),
            location: header(res.headers['location']),
            durationMs: elapsed(),
          }
        } catch (err) {
          return classifyError(err, controller.signal, req.timeoutMs, elapsed())
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

function classifyError(err: unknown, signal: AbortSignal, timeoutMs: number, durationMs: number): TransportResult {
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
  // Only the error code and a bounded message: never the request, which holds the auth header.
  const message = err instanceof Error ? err.message.slice(0, 200) : 'unknown error'
  return { kind: 'network', error: code === null ? message : `${code}: ${message}`, durationMs }
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
