import { Hono } from 'hono'
import type { AppDeps } from './deps'
import type { AcceptEvents } from './integrations'
import { adminAuth, writeKeyAuth } from './auth'
import { ApiError, errorPayload } from './errors'
import { FAILURE_STATUS } from './failure-status'
import { mountIngest } from './routes/ingest'
import { mountJourneys } from './routes/journeys'
import { mountPublish } from './routes/publish'
import { mountSimulation } from './routes/simulation'
import { mountUsers } from './routes/users'
import { mountSystem } from './routes/system'
import { mountWeb } from './routes/web'

/** The whole HTTP surface. Errors are mapped here, once. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono()
  app.use('*', async (c, next) => {
    await next()
    deps.metrics.countRequest(c.res.status)
  })
  app.use('*', async (c, next) => {
    // A path whose %-escapes do not decode (`/%`, `/x/%E0%A4%A`) names nothing we serve.
    if (c.req.path.includes('%') && !decodes(c.req.path)) {
      throw new ApiError('request.bad_path', 'The URL path has a malformed %-escape: encode “%” as %25 and non-ASCII characters as UTF-8 bytes.')
    }
    // No id, name or filter holds a NUL character (PostgreSQL text cannot): refused the same on every backend.
    if (/%00/i.test(c.req.url) || c.req.url.includes('\0')) {
      throw new ApiError('request.bad_path', 'The URL holds a NUL character (%00), which no id, name or filter can contain: remove it.')
    }
    await next()
  })
  app.use('/api/*', adminAuth(deps.config.adminToken))
  app.use('/v1/*', writeKeyAuth(deps.config.writeKey))
  const accept: AcceptEvents = async (events) => {
    await deps.engine.ingest(events)
    await Promise.all(deps.integrations.map((i) => i.eventsAccepted?.(events)))
  }
  // A worker applies and delivers; it answers health checks and metrics, nothing else.
  if (deps.role !== 'worker') {
    mountIngest(app, deps, accept)
    mountJourneys(app, deps)
    mountPublish(app, deps)
    mountSimulation(app, deps)
    mountUsers(app, deps)
    for (const integration of deps.integrations) integration.mount?.(app, deps.registry, { accept, writeKey: deps.config.writeKey })
  }
  mountSystem(app, deps)
  if (deps.role !== 'worker') mountWeb(app, deps.config.webDist)

  app.notFound((c) => c.json(errorPayload('route.not_found', `There is no ${c.req.method} ${c.req.path}. See /openapi.json for the API.`), FAILURE_STATUS['route.not_found']))
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      if (err.code === 'request.aborted') deps.log.info('client aborted the request', { path: c.req.path, method: c.req.method })
      const status = FAILURE_STATUS[err.code]
      if (status >= 500) deps.log.error('request failed', { code: err.code, path: c.req.path })
      return c.json(errorPayload(err.code, err.message, err.details), status)
    }
    // A bug: loud in the log, plain to the caller.
    deps.log.error('unhandled error', { path: c.req.path, method: c.req.method, error: err instanceof Error ? err.stack : String(err) })
    return c.json(errorPayload('internal', 'Something went wrong on our side; it has been logged.'), FAILURE_STATUS.internal)
  })
  return app
}

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path)
    return true
  } catch {
    return false
  }
}
