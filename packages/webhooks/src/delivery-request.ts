import type { WebhookEncoding } from '@switchyard/schema'
import { encodePayload } from './payload'
import { signPayload } from './sign'
import type { OutboundRequest } from './transport'

/** A webhook's configuration with its secrets opened, held only for the length of a send. */
export interface Endpoint {
  id: string
  name: string
  url: string
  encoding: WebhookEncoding
  basicAuth: { username: string; password: string } | null
  headers: Record<string, string>
  query: Record<string, string>
  timeoutMs: number
  signingSecret: string | null
}

export const USER_AGENT = 'Switchyard-Webhooks/1.0'

export function endpointUrl(endpoint: Pick<Endpoint, 'url' | 'query'>): string {
  const url = new URL(endpoint.url)
  for (const [key, value] of Object.entries(endpoint.query)) url.searchParams.append(key, value)
  return url.toString()
}

/**
 * The POST for one message. `messageId` is the Standard Webhooks `webhook-id`: the delivery id, or
 * the batch id, the same on every retry so receivers can drop duplicates. Headers are merged by
 * lower-cased name: the configured ones may replace Content-Type and User-Agent, never auth or
 * the webhook-* headers.
 */
export function deliveryRequest(endpoint: Endpoint, payloadText: string, messageId: string, timestampSeconds: number): OutboundRequest {
  const { contentType, body } = encodePayload(endpoint.encoding, payloadText)
  const headers = new Map<string, string>([
    ['content-type', contentType],
    ['user-agent', USER_AGENT],
  ])
  for (const [name, value] of Object.entries(endpoint.headers)) headers.set(name.toLowerCase(), value)
  if (endpoint.basicAuth !== null) {
    const token = Buffer.from(`${endpoint.basicAuth.username}:${endpoint.basicAuth.password}`, 'utf8').toString('base64')
    headers.set('authorization', `Basic ${token}`)
  }
  headers.set('webhook-id', messageId)
  headers.set('webhook-timestamp', String(timestampSeconds))
  if (endpoint.signingSecret !== null) {
    headers.set('webhook-signature', signPayload(endpoint.signingSecret, messageId, timestampSeconds, body))
  }
  return { url: endpointUrl(endpoint), headers: Object.fromEntries(headers), body, timeoutMs: endpoint.timeoutMs }
}
