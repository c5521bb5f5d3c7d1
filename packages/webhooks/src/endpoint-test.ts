import { randomUUID } from 'node:crypto'
import type { DeliveryContext, WebhookTestResult } from '@switchyard/schema'
import type { SecretBox } from '@switchyard/secrets'
import { deliveryRequest } from './delivery-request'
import { openEndpoint } from './endpoint'
import { type RenderTemplate, journeyPayload } from './payload'
import type { Transport } from './transport'
import type { WebhookRecord } from './webhook-store'

/** The made-up journey step a test request describes. */
const TEST_CONTEXT = (workspace: string, now: number): DeliveryContext => ({
  workspace,
  journey: { id: 'test', name: 'Test journey', version: 1 },
  runId: 'test',
  nodeId: 'test',
  user: { id: 'test@example.com', traits: { EMAIL: 'test@example.com', FIRSTNAME: 'Test' } },
  event: { name: 'email.delivered', properties: {}, timestamp: new Date(now).toISOString(), messageId: 'test' },
  message: { id: 'test', channel: 'email', status: 'delivered' },
})

/** Posts a sample activity item to the webhook's endpoint, as delivery would; ok when it answers 2xx. */
export async function sendTestRequest(
  record: WebhookRecord,
  d: { secretBox: SecretBox; transport: Transport; render: RenderTemplate; workspace: string; now: number },
): Promise<WebhookTestResult> {
  const opened = openEndpoint(record, d.secretBox)
  if (!opened.ok) return { ok: false, status: null, durationMs: 0, error: opened.error }
  const sample = await journeyPayload(
    {
      id: `test_${randomUUID()}`,
      params: ['user.traits.EMAIL', 'user.traits.FIRSTNAME'],
      customParams: { test: 'true' },
      context: TEST_CONTEXT(d.workspace, d.now),
      createdAt: d.now,
      body: { kind: 'activity' },
    },
    record.name,
    d.render,
  )
  const text = sample.ok ? sample.text : '{}'
  const sent = await d.transport.send(deliveryRequest(opened.endpoint, text, `test_${randomUUID()}`, Math.floor(d.now / 1000)))
  if (sent.kind !== 'response') return { ok: false, status: null, durationMs: sent.durationMs, error: sent.error }
  return sent.status >= 200 && sent.status < 300
    ? { ok: true, status: sent.status, durationMs: sent.durationMs }
    : { ok: false, status: sent.status, durationMs: sent.durationMs, error: `HTTP ${sent.status}` }
}
