import type { TemplateRenderer } from '../render/liquid'
import { templateScope } from '../render/render-message'
import { assertNever, type HttpConfig } from '@switchyard/schema'
import type { Transport } from '@switchyard/webhooks'
import type { ChannelProvider, SendResult } from './channel-provider'

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

export interface HttpProviderDeps {
  renderer: TemplateRenderer
  /**
   * Sends the request: `@switchyard/webhooks`' transport, which asks the address guard, dials the
   * address it checked and holds one deadline over lookup, connect and answer.
   */
  transport: Pick<Transport, 'send'>
}

/** Reads `a.b.0.c` from parsed JSON, own properties only. */
export function readJsonPath(value: unknown, path: string): unknown {
  let cur = value
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined
    cur = Reflect.get(cur, key)
  }
  return cur
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  const lower = name.toLowerCase()
  return Object.keys(headers).some((k) => k.toLowerCase() === lower)
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat
}

/**
 * A generic HTTP API provider (Twilio-style SMS/WhatsApp, FCM-style push gateways): POSTs its
 * Liquid body to `url`. 2xx is sent; 408, 429, 5xx, timeouts and network errors are retryable;
 * other answers, redirects included (never followed), are not.
 */
export function createHttpProvider(config: HttpConfig, deps: HttpProviderDeps): ChannelProvider {
  return {
    kind: 'http',
    async send(rendered, job): Promise<SendResult> {
      const scope = { ...templateScope(job), message: { id: job.id, channel: job.channel, ...rendered.fields }, to: rendered.to }
      const body = await deps.renderer.render(config.body, scope)
      if (!body.ok) return { ok: false, retryable: false, reason: `request body: ${body.reason}` }

      const headers: Record<string, string> = { ...(config.headers ?? {}) }
      if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json'
      if (!hasHeader(headers, 'idempotency-key')) headers['Idempotency-Key'] = job.id
      if (config.auth?.type === 'basic') {
        const token = Buffer.from(`${config.auth.username}:${config.auth.password ?? ''}`).toString('base64')
        headers.Authorization = `Basic ${token}`
      } else if (config.auth?.type === 'bearer') {
        headers.Authorization = `Bearer ${config.auth.token ?? ''}`
      }

      const res = await deps.transport.send({ url: config.url, method: config.method, headers, body: body.text, timeoutMs: config.timeoutMs })
      switch (res.kind) {
        case 'refused':
          return { ok: false, retryable: false, reason: res.error }
        case 'timeout':
          return { ok: false, retryable: true, reason: res.error }
        case 'network':
          return { ok: false, retryable: true, reason: `network error: ${res.error}` }
        case 'response':
          break
        default:
          return assertNever(res)
      }
      const text = res.text
      if (res.status < 200 || res.status >= 300) {
        const retryable = res.status === 408 || res.status === 429 || res.status >= 500
        return { ok: false, retryable, reason: `HTTP ${res.status}${text === '' ? '' : `: ${snippet(text)}`}` }
      }
      if (config.messageIdPath === undefined) return { ok: true, providerMessageId: null }
      if (config.messageIdPath.toLowerCase().startsWith('header:')) {
        return { ok: true, providerMessageId: res.headers[config.messageIdPath.slice('header:'.length).trim().toLowerCase()] ?? null }
      }
      let answer: unknown
      try {
        answer = JSON.parse(text)
      } catch {
        // Accepted but unreadable: the message went out, so this is not a failure; receipts then
        // need our id, which the body template can pass along as {{ message.id }}.
        return { ok: true, providerMessageId: null }
      }
      const id = readJsonPath(answer, config.messageIdPath)
      return { ok: true, providerMessageId: typeof id === 'string' || typeof id === 'number' ? String(id) : null }
    },
  }
}

/**
 * A test seam: a `fetch` in place of the guarded transport (no address guard), for tests that
 * stand in for a provider without a listener.
 */
export function fetchTransport(doFetch: FetchLike): Pick<Transport, 'send'> {
  return {
    async send(req) {
      const started = Date.now()
      try {
        const res = await doFetch(req.url, { method: req.method ?? 'POST', headers: req.headers, body: req.body, redirect: 'manual', signal: AbortSignal.timeout(req.timeoutMs) })
        const text = (await res.text()).slice(0, 64 * 1024)
        const headers: Record<string, string> = {}
        res.headers.forEach((value, name) => {
          headers[name.toLowerCase()] = value
        })
        return { kind: 'response', status: res.status, retryAfter: headers['retry-after'] ?? null, location: headers['location'] ?? null, headers, text, durationMs: Date.now() - started }
      } catch {
        return { kind: 'network', error: `could not reach ${new URL(req.url).host}`, durationMs: Date.now() - started }
      }
    },
  }
}
