import { createReadStream, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { Hono } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../deps'
import { ApiError } from '../errors'

export function mountSystem(app: Hono, deps: AppDeps): void {
  const { engine, registry, metrics, integrations, database, log } = deps
  registry.add({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness and the engine backlog.',
    tag: 'System',
    auth: 'none',
    responses: {
      200: {
        description: 'Up. On PostgreSQL also the role of this process and how many partitions it holds.',
        schema: z.object({ ok: z.literal(true), pendingEvents: z.number(), role: z.enum(['api', 'worker', 'both']).optional(), partitions: z.number().optional() }),
      },
    },
  })
  app.get('/healthz', async (c) => c.json({ ok: true as const, pendingEvents: (await engine.lag()).pending, ...deps.health?.() }))

  registry.add({ method: 'get', path: '/metrics', summary: 'Prometheus text format.', tag: 'System', auth: 'none', responses: { 200: { description: 'Metrics.' } } })
  app.get('/metrics', async (c) => {
    const pending = (await Promise.all(integrations.map((i) => i.pending?.() ?? 0))).reduce((n, k) => n + k, 0)
    const text = await metrics.render(engine, { outboxPending: (await engine.pending()).outbox, deliveriesPending: pending, ...(database ? { sizes: await database.sizes() } : {}) })
    return c.text(text, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
  })

  registry.add({
    method: 'post',
    path: '/api/system/backup',
    summary: 'A consistent copy of the database, taken while the server goes on (SQLite online backup). Restore by stopping the server and putting the file in place of the database.',
    tag: 'System',
    auth: 'admin',
    responses: { 200: { description: 'The SQLite database file (application/vnd.sqlite3).' }, 409: { description: 'This server has no database file of its own to copy (on PostgreSQL, use pg_dump).' } },
  })
  app.post('/api/system/backup', async (c) => {
    if (database === undefined) throw new ApiError('backup.unavailable', 'This server keeps no database file of its own to copy.')
    if (database.kind === 'postgres') {
      const refusal = database.backup()
      throw new ApiError('backup.unavailable', `${refusal.message} For example: ${refusal.hint}`)
    }
    // Beside the database, not in /tmp: the copy is as large as the database.
    const dir = mkdtempSync(join(database.scratchDir, '.backup-'))
    const file = join(dir, 'switchyard.db')
    const started = Date.now()
    let bytes: number
    try {
      bytes = (await database.backup(file)).bytes
    } catch (error) {
      rmSync(dir, { recursive: true, force: true })
      throw error
    }
    log.info('backup taken', { bytes, ms: Date.now() - started })
    const stream = createReadStream(file)
    stream.on('close', () => rmSync(dir, { recursive: true, force: true }))
    const name = `switchyard-${new Date(started).toISOString().replace(/[:.]/g, '-')}.db`
    return new Response(Readable.toWeb(stream), {
      headers: { 'content-type': 'application/vnd.sqlite3', 'content-length': String(bytes), 'content-disposition': `attachment; filename="${name}"` },
    })
  })

  registry.add({ method: 'get', path: '/openapi.json', summary: 'This document.', tag: 'System', auth: 'none', responses: { 200: { description: 'OpenAPI 3.1.' } } })
  app.get('/openapi.json', (c) => c.json(registry.document({ version: deps.version })))
}
