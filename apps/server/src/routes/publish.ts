import type { Context, Hono } from 'hono'
import { z } from 'zod'
import { PublishPreview, PublishRequest } from '@switchyard/schema'
import { parseJsonText, readBody, validate } from '../body'
import type { AppDeps } from '../deps'
import { ApiError, notFound } from '../errors'
import { IssuesAnswer, invalidJourney } from './invalid-journey'
import { nodeReferences } from './references'

const Migrated = z.object({ moved: z.number().int(), exited: z.number().int(), kept: z.number().int() })
const PublishAnswer = z.object({ version: z.number().int(), activeUsersOnOlderVersions: z.number().int(), migrated: Migrated.optional() })

/**
 * Publishing, and its preview: what would change and where the users waiting on older versions
 * would go (PRODUCT.md 6.4). The body is optional: none publishes with `migrate.policy: keep`.
 */
export function mountPublish(app: Hono, deps: AppDeps): void {
  const { engine, registry, integrations } = deps
  const doc = registry.add.bind(registry)
  const tag = 'Journeys'
  const body = async (c: Context): Promise<PublishRequest> => {
    const text = await readBody(c, 64 * 1024, '64 KB')
    return validate(PublishRequest, text.trim() === '' ? {} : parseJsonText(text))
  }

  doc({
    method: 'post',
    path: '/api/journeys/:id/publish',
    summary:
      'Validate the draft and publish it as a new immutable version. With migrate.policy "move", runs waiting on older versions move to it at the same (or mapped) step in one transaction, keeping their run id and timers; onRemoved ("keep" or "exit") decides for runs at steps the new version lacks.',
    tag,
    auth: 'admin',
    body: PublishRequest,
    responses: {
      200: { description: 'Published.', schema: PublishAnswer },
      422: { description: 'Every problem of the draft (journey.invalid), or a node map that does not fit (migration.invalid_map).', schema: IssuesAnswer },
    },
  })
  app.post('/api/journeys/:id/publish', async (c) => {
    const { migrate } = await body(c)
    const result = await engine.publish(c.req.param('id'), await nodeReferences(integrations), migrate)
    if (result === null) throw notFound('journey', c.req.param('id'))
    if ('code' in result) throw new ApiError(result.code, result.message, result.details)
    if (!result.ok) return invalidJourney(c, result.issues)
    const published = await engine.getJourney(c.req.param('id'))
    if (published) await Promise.all(integrations.map((i) => i.journeyChanged?.('journey.published', published)))
    return c.json({ version: result.version, activeUsersOnOlderVersions: result.activeUsersOnOlderVersions, ...(result.migrated ? { migrated: result.migrated } : {}) })
  })

  doc({
    method: 'post',
    path: '/api/journeys/:id/publish/preview',
    summary: 'What publishing the draft would do: the nodes added, removed and changed since the latest version, and for each group of users waiting on a published version where they would go under the migrate policy given (the same body as publish). Changes nothing.',
    tag,
    auth: 'admin',
    body: PublishRequest,
    responses: { 200: { description: 'The diff and the waiting users.', schema: PublishPreview }, 422: { description: 'The draft cannot be published, or the map does not fit.', schema: IssuesAnswer } },
  })
  app.post('/api/journeys/:id/publish/preview', async (c) => {
    const { migrate } = await body(c)
    const result = await engine.publishPreview(c.req.param('id'), await nodeReferences(integrations), migrate ?? { policy: 'keep', onRemoved: 'keep' })
    if (result === null) throw notFound('journey', c.req.param('id'))
    if ('code' in result) throw new ApiError(result.code, result.message, result.details)
    if ('issues' in result) return invalidJourney(c, result.issues)
    return c.json(result)
  })
}
