import type { Hono } from 'hono'
import { z } from 'zod'
import type { Engine } from '@switchyard/engine'
import type { JourneyEventType, Journey, IngestedEvent } from '@switchyard/schema'
import { WebhookAlertView, WebhookDeliveryView, WebhookInput, WebhookPreview, WebhookPreviewInput, WebhookTestResult, WebhookView } from '@switchyard/schema'
import type { AccountEventArgs, WebhookService } from '@switchyard/webhooks'
import { jsonBody, validate } from '../body'
import type { Integration } from '../integrations'
import type { Metrics } from '../metrics'
import type { RouteRegistry } from '../openapi'
import { gateBatch } from './delivery-rules'
import { unwrap } from './results'

const Limit = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) })

/**
 * Configured endpoints, the journey webhook node's deliveries and account-level webhooks. Every
 * attempt of a journey delivery is also written into the user's run history.
 */
export function webhooksIntegration(service: WebhookService, engine: Engine, metrics: Metrics): Integration {
  // Read on every ingest call, so kept in memory; the routes below that change webhooks clear it.
  let trackNames: Promise<Set<string>> | null = null
  const subscribedTracks = (): Promise<Set<string>> => {
    trackNames ??= service.list().then((webhooks) => {
      const names = new Set<string>()
      for (const w of webhooks) for (const e of w.events ?? []) if (e.startsWith('track:')) names.add(e.slice('track:'.length))
      return names
    })
    // A failed read is not kept: the next ingest call reads again.
    trackNames.catch(() => {
      trackNames = null
    })
    return trackNames
  }
  const changed = <T>(value: T): T => {
    trackNames = null
    return value
  }
  return {
    name: 'webhooks',
    webhookIds: async () => new Set((await service.list()).map((w) => w.id)),
    outbox: {
      // The journey's quiet hours apply to its webhook nodes as to its messages (the control group is the engine's).
      // A relay batch is queued for delivery in the relay's settlement transaction.
      webhook: async (jobs) => {
        const { results, leaving } = await gateBatch(engine, jobs)
        const { queued, write } = await service.enqueuing(leaving.map((l) => l.job))
        leaving.forEach(({ i, job }, k) => {
          results[i] = queued[k] === 'missing' ? { error: `webhook ${job.webhookId} does not exist` } : undefined
        })
        return { results, joined: [write] }
      },
    },
    render: {
      // The body and URL exactly as delivery would send them (secret query values masked).
      webhook: async (job) => {
        const out = await service.preview(job.webhookId, { params: job.params, customParams: job.customParams, body: job.body, context: job.context })
        return out.ok ? { ok: true, rendered: out.value } : { ok: false, reason: out.message }
      },
    },
    async journeyChanged(type: JourneyEventType, j: Journey) {
      await service.emitAccountEvent(type, {
        journey: { id: j.id, name: j.name, status: j.status, version: j.version, createdAt: j.createdAt, updatedAt: j.updatedAt },
      })
    },
    async eventsAccepted(events: readonly IngestedEvent[]) {
      const names = await subscribedTracks()
      if (names.size === 0) return
      // One transaction for the whole ingest batch.
      await service.emitAccountEvents(
        events.flatMap((e): AccountEventArgs[] =>
          e.type !== 'track' || e.event === undefined || (!names.has(e.event) && !names.has('*'))
            ? []
            : [
                [
                  `track:${e.event}`,
                  { messageId: e.messageId, userId: e.userId, event: e.event, properties: e.properties ?? {}, ...(e.context ? { context: e.context } : {}), timestamp: e.timestamp },
                ],
              ],
        ),
      )
    },
    start: () => service.start(),
    stop: () => service.stop(),
    mount(app: Hono, registry: RouteRegistry) {
      const tag = 'Webhooks'
      const doc = registry.add.bind(registry)
      doc({ method: 'get', path: '/api/webhooks', summary: 'Configured webhooks with their test status.', tag, auth: 'admin', responses: { 200: { description: 'Webhooks.', schema: z.object({ webhooks: z.array(WebhookView) }) } } })
      app.get('/api/webhooks', async (c) => c.json({ webhooks: await service.list() }))
      doc({ method: 'post', path: '/api/webhooks', summary: 'Configure a webhook; the password, header and query values are encrypted and answered masked (********).', tag, auth: 'admin', body: WebhookInput, responses: { 201: { description: 'Created.', schema: WebhookView } } })
      app.post('/api/webhooks', async (c) => c.json(changed(unwrap(await service.create(await jsonBody(c, z.unknown(), 256 * 1024)))), 201))
      doc({ method: 'get', path: '/api/webhooks/:id', summary: 'One webhook.', tag, auth: 'admin', responses: { 200: { description: 'The webhook.', schema: WebhookView } } })
      app.get('/api/webhooks/:id', async (c) => c.json(unwrap(await service.get(c.req.param('id')))))
      doc({ method: 'put', path: '/api/webhooks/:id', summary: 'Replace a webhook; a password left out, or a header or query value sent back as ********, is kept. A change to what delivery sends resets testStatus to untested.', tag, auth: 'admin', body: WebhookInput, responses: { 200: { description: 'Saved.', schema: WebhookView } } })
      app.put('/api/webhooks/:id', async (c) => c.json(changed(unwrap(await service.update(c.req.param('id'), await jsonBody(c, z.unknown(), 256 * 1024))))))
      doc({ method: 'delete', path: '/api/webhooks/:id', summary: 'Delete a webhook.', tag, auth: 'admin', responses: { 204: { description: 'Deleted.' } } })
      app.delete('/api/webhooks/:id', async (c) => {
        changed(unwrap(await service.remove(c.req.param('id'))))
        return c.body(null, 204)
      })
      doc({ method: 'post', path: '/api/webhooks/:id/test', summary: 'Post a sample payload; a 2xx makes the webhook ready for use.', tag, auth: 'admin', responses: { 200: { description: 'The outcome.', schema: WebhookTestResult } } })
      app.post('/api/webhooks/:id/test', async (c) => c.json(unwrap(await service.test(c.req.param('id')))))
      doc({ method: 'post', path: '/api/webhooks/:id/preview', summary: 'Render the body a journey node would send, without sending it.', tag, auth: 'admin', body: WebhookPreviewInput, responses: { 200: { description: 'The body.', schema: WebhookPreview } } })
      app.post('/api/webhooks/:id/preview', async (c) => {
        const input = await jsonBody(c, z.record(z.string(), z.unknown()), 256 * 1024)
        const userId = typeof input.userId === 'string' ? input.userId : null
        const user = userId === null ? null : await engine.getUser(userId)
        const withUser = user && input.user === undefined ? { ...input, user: { id: user.userId, traits: user.traits } } : input
        return c.json(unwrap(await service.preview(c.req.param('id'), withUser)))
      })
      doc({ method: 'get', path: '/api/webhooks/:id/deliveries', summary: 'Recent deliveries with every attempt.', tag, auth: 'admin', query: Limit, responses: { 200: { description: 'Deliveries.', schema: z.object({ deliveries: z.array(WebhookDeliveryView) }) } } })
      app.get('/api/webhooks/:id/deliveries', async (c) => {
        const { limit } = validate(Limit, c.req.query(), 'query')
        return c.json({ deliveries: unwrap(await service.deliveries(c.req.param('id'), { limit })) })
      })
      doc({ method: 'get', path: '/api/webhooks/:id/alerts', summary: 'Alerts raised for the endpoint (circuit breaker, gone).', tag, auth: 'admin', query: Limit, responses: { 200: { description: 'Alerts.', schema: z.object({ alerts: z.array(WebhookAlertView) }) } } })
      app.get('/api/webhooks/:id/alerts', async (c) => {
        unwrap(await service.get(c.req.param('id')))
        const { limit } = validate(Limit, c.req.query(), 'query')
        return c.json({ alerts: await service.alerts(c.req.param('id'), { limit }) })
      })
      doc({ method: 'post', path: '/api/webhooks/:id/resume', summary: 'Resume an endpoint the circuit breaker paused.', tag, auth: 'admin', responses: { 200: { description: 'The webhook.', schema: WebhookView } } })
      app.post('/api/webhooks/:id/resume', async (c) => c.json(unwrap(await service.resume(c.req.param('id')))))
      doc({ method: 'post', path: '/api/webhooks/deliveries/:deliveryId/replay', summary: 'Send a dead delivery again, with the same webhook-id.', tag, auth: 'admin', responses: { 200: { description: 'The delivery, pending again.', schema: WebhookDeliveryView } } })
      app.post('/api/webhooks/deliveries/:deliveryId/replay', async (c) => c.json(unwrap(await service.replay(c.req.param('deliveryId')))))
      void metrics
    },
  }
}
