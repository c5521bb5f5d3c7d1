import type { Hono } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../deps'
import { notFound } from '../errors'

const UserProfile = z.object({ userId: z.string(), traits: z.record(z.string(), z.unknown()) })

/** A user's profile: the traits their identify calls left, which message previews render with. */
export function mountUsers(app: Hono, deps: AppDeps): void {
  deps.registry.add({ method: 'get', path: '/api/users/:userId', summary: 'A user’s traits as identify calls left them: what a message to them renders with.', tag: 'Inspection', auth: 'admin', responses: { 200: { description: 'The profile.', schema: UserProfile } } })
  app.get('/api/users/:userId', async (c) => {
    const user = await deps.engine.store.getUser(c.req.param('userId'))
    if (!user) throw notFound('user', c.req.param('userId'))
    return c.json({ userId: user.userId, traits: user.traits })
  })
}
