import type { Hono } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../deps'

export function mountSystem(app: Hono, deps: AppDeps): void {
  const { engine, registry, metrics, integrations } = deps
  registry.add({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness and the engine backlog.',
    tag: 'System',
    auth: 'none',
    responses: { 200: { description: 'Up.', schema: z.object({ ok: z.literal(true), pendingEvents: z.number() }) } },
  })
  app.get('/healthz', async (c) => c.json({ ok: true as const, pendingEvents: (await engine.lag()).pending }))

  registry.add({ method: 'get', path: '/metrics', summary: 'Prometheus text format.', tag: 'System', auth: 'none', responses: { 200: { description: 'Metrics.' } } })
  app.get('/metrics', async (c) => {
    const pending = integrations.reduce((n, i) => n + (i.pending?.() ?? 0), 0)
    const text = await metrics.render(engine, { outboxPending: await engine.store.outboxPending(), deliveriesPending: pending })
    return c.text(text, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
  })

  registry.add({ method: 'get', path: '/openapi.json', summary: 'This document.', tag: 'System', auth: 'none', responses: { 200: { description: 'OpenAPI 3.1.' } } })
  app.get('/openapi.json', (c) => c.json(registry.document({ version: deps.version })))
}
