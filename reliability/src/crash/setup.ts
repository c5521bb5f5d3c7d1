import { WebhookSink } from '@switchyard/testkit'
import { crashJourneys } from './journeys'
import type { Arrival } from './webhooks-check'

/** A POST to the server's API that must succeed; its JSON answer. */
export async function api(url: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const json: unknown = await res.json()
  if (!res.ok || json === null || typeof json !== 'object') throw new Error(`${path} answered ${res.status}: ${JSON.stringify(json)}`)
  return Object.fromEntries(Object.entries(json))
}

/** The receiver answers 503 now and then, so retries (same webhook-id) happen too; every arrival is recorded. */
export async function flakyReceiver(random: () => number): Promise<{ sink: WebhookSink; arrivals: Arrival[]; url: string }> {
  const sink = new WebhookSink()
  const arrivals: Arrival[] = []
  sink.respond = (req) => {
    const header = req.headers['webhook-id']
    const status = random() < 0.03 ? 503 : 200
    arrivals.push({ webhookId: typeof header === 'string' ? header : '(none)', at: Date.now(), status })
    return { status }
  }
  return { sink, arrivals, url: await sink.start() }
}

/** Through `serverUrl`: the receiving webhook and the harness's journeys, published. Returns the webhook's id. */
export async function publishCrashJourneys(serverUrl: string, receiverUrl: string, name: string): Promise<string> {
  const webhook = await api(serverUrl, '/api/webhooks', {
    name,
    url: `${receiverUrl}/hook`,
    encoding: 'json',
    timeoutMs: 2000,
    retry: { maxAttempts: 20, initialDelayMs: 200, maxDelayMs: 2000 },
  })
  const webhookId = String(webhook.id)
  for (const input of crashJourneys(webhookId)) {
    const j = await api(serverUrl, '/api/journeys', input)
    await api(serverUrl, `/api/journeys/${String(j.id)}/publish`, {})
  }
  return webhookId
}
