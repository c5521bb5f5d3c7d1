import type { HttpConfig } from '@switchyard/schema'
import type { TemplateRenderer } from '../render/liquid'
import { templateScope } from '../render/render-message'
import { errorMessage, type ChannelProvider, type SendResult } from './channel-provider'

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

/** Thrown by a fetch that refuses the target (a private address): the send fails for good. */
export class RefusedTargetError extends Error {
  override readonly name = 'RefusedTargetError'
}

export interface HttpProviderDeps {
  renderer: TemplateRenderer
  /** The server passes a fetch that applies its private-address guard; tests use the global one. */
  fetch?: FetchLike
}

const MAX_ANSWER_CHARS = 64 * 1024

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

/** Reads at most MAX_ANSWER_CHARS bytes of the answer, so a huge one cannot exhaust memory. */
async function readCapped(res: Response): Promise<string> {
  if (res.body === null) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  while (size < MAX_ANSWER_CHARS) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
  }
  if (size >= MAX_ANSWER_CHARS) await reader.cancel().catch(() => {})
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_CHARS).toString('utf8')
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
  const doFetch: FetchLike = deps.fetch ?? ((input, init) => fetch(input, init))
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

      let res: Response
      try {
        res = await doFetch(config.url, {
          method: config.method,
          headers,
          body: body.text,
          redirect: 'manual',
          signal: AbortSignal.timeout(config.timeoutMs),
        })
      } catch (err) {
        if (err instanceof RefusedTargetError) return { ok: false, retryable: false, reason: err.message }
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
        return { ok: false, retryable: true, reason: timedOut ? `no answer within ${config.timeoutMs} ms` : `network error: ${errorMessage(err)}` }
      }
      let text: string
      try {
        text = await readCapped(res)
      } catch (err) {
        return { ok: false, retryable: true, reason: `answer could not be read: ${errorMessage(err)}` }
      }
      if (res.status < 200 || res.status >= 300) {
        const retryable = res.status === 408 || res.status === 429 || res.status >= 500
        return { ok: false, retryable, reason: `HTTP ${res.status}${text === '' ? '' : `: ${snippet(text)}`}` }
      }
      if (config.messageIdPath === undefined) return { ok: true, providerMessageId: null }
      if (config.messageIdPath.toLowerCase().startsWith('header:')) {
        return { ok: true, providerMessageId: res.headers.get(config.messageIdPath.slice('header:'.length).trim()) }
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
