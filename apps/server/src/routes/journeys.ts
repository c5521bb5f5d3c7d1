import type { Hono } from 'hono'
import { z } from 'zod'
import {
  dict,
  own,
  DraftGraph,
  Journey,
  JourneyInput,
  JourneySettings,
  JourneyStats,
  JourneyVersion,
  RunHistoryPage,
  UserJourneyView,
  JourneyName,
  validateGraph,
  type JourneyEventType,
  type ValidationIssue,
} from '@switchyard/schema'
import { jsonBody, parseJsonText, readBody, validate } from '../body'
import type { AppDeps } from '../deps'
import { Issue, IssuesAnswer } from './invalid-journey'
import { nodeReferences } from './references'
import { decodeCursor, encodeCursor } from '../cursors'
import { ApiError, notFound } from '../errors'
import { completeHistory } from '../integrations'

const JourneyWithIssues = Journey.extend({ issues: z.array(Issue) })
/** Explicit optional fields: a PUT that sends only the name must not reset the graph or settings. */
const JourneyPatch = z.object({
  name: JourneyName.optional(),
  graph: DraftGraph.optional(),
  settings: JourneySettings.optional(),
})
const ValidateBody = z.object({ graph: z.unknown(), settings: JourneySettings.optional() })
const DuplicateBody = z.object({ name: JourneyName.optional() }).default({})
const StatsQuery = z.object({ version: z.coerce.number().int().positive().optional() })
const UsersQuery = z.object({ prefix: z.string().max(512).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) })
const UsersAnswer = z.object({
  users: z.array(z.object({ userId: z.string(), runs: z.number(), status: z.string(), currentNodeId: z.string().nullable(), lastActivityAt: z.string() })),
})
const UserRunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  historyLimit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: z.string().max(1024).optional(),
})
const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200), cursor: z.string().max(256).optional() })
/** Where the next page of runs starts: the last run's start time and id. */
const RunCursor = z.tuple([z.number().int(), z.string()])
/** The last history row shown. */
const HistoryCursor = z.tuple([z.number().int().nonnegative()])
const VersionDetail = z.object({ version: z.number(), publishedAt: z.string(), hash: z.string(), graph: DraftGraph, settings: JourneySettings })

export function mountJourneys(app: Hono, deps: AppDeps): void {
  const { engine, registry, integrations } = deps
  const issuesOf = async (graph: unknown, settings: unknown): Promise<ValidationIssue[]> => {
    const result = validateGraph(graph, { ...(await nodeReferences(integrations)), settings })
    return result.ok ? [] : result.issues
  }
  const mustGet = async (id: string) => {
    const j = await engine.getJourney(id)
    if (!j) throw notFound('journey', id)
    return j
  }
  const doc = registry.add.bind(registry)
  const tag = 'Journeys'
  const notify = async (type: JourneyEventType, journey: Journey): Promise<void> => {
    await Promise.all(integrations.map((i) => i.journeyChanged?.(type, journey)))
  }

  doc({ method: 'get', path: '/api/journeys', summary: 'List journeys.', tag, auth: 'admin', responses: { 200: { description: 'All journeys, newest first.', schema: z.object({ journeys: z.array(Journey) }) } } })
  app.get('/api/journeys', async (c) => c.json({ journeys: await engine.listJourneys() }))

  doc({ method: 'post', path: '/api/journeys', summary: 'Create a draft journey.', tag, auth: 'admin', body: JourneyInput, responses: { 201: { description: 'Created.', schema: JourneyWithIssues } } })
  app.post('/api/journeys', async (c) => {
    const j = await engine.createJourney(await jsonBody(c, JourneyInput))
    await notify('journey.created', j)
    return c.json({ ...j, issues: await issuesOf(j.graph, j.settings) }, 201)
  })

  doc({ method: 'get', path: '/api/journeys/:id', summary: 'A journey with the problems of its draft.', tag, auth: 'admin', responses: { 200: { description: 'The journey.', schema: JourneyWithIssues } } })
  app.get('/api/journeys/:id', async (c) => {
    const j = await mustGet(c.req.param('id'))
    return c.json({ ...j, issues: await issuesOf(j.graph, j.settings) })
  })

  doc({ method: 'put', path: '/api/journeys/:id', summary: 'Save the draft (it may be invalid: the canvas autosaves).', tag, auth: 'admin', body: JourneyPatch, responses: { 200: { description: 'Saved.', schema: JourneyWithIssues } } })
  app.put('/api/journeys/:id', async (c) => {
    const patch = await jsonBody(c, JourneyPatch)
    const j = await engine.updateJourney(c.req.param('id'), patch)
    if (!j) throw notFound('journey', c.req.param('id'))
    await notify('journey.updated', j)
    return c.json({ ...j, issues: await issuesOf(j.graph, j.settings) })
  })

  doc({
    method: 'delete',
    path: '/api/journeys/:id',
    summary: 'Delete a journey; refused while users are in it unless ?exitUsers=true.',
    tag,
    auth: 'admin',
    query: z.object({ exitUsers: z.enum(['true', 'false']).optional() }),
    responses: { 204: { description: 'Deleted.' }, 409: { description: 'Users are still in the journey.' } },
  })
  app.delete('/api/journeys/:id', async (c) => {
    const before = await engine.getJourney(c.req.param('id'))
    const result = await engine.deleteJourney(c.req.param('id'), { exitUsers: c.req.query('exitUsers') === 'true' })
    if (result === null) throw notFound('journey', c.req.param('id'))
    if (!result.ok) throw new ApiError(result.code, result.message)
    if (before) await notify('journey.deleted', before)
    return c.body(null, 204)
  })

  doc({ method: 'post', path: '/api/journeys/:id/duplicate', summary: 'Copy a journey into a new draft.', tag, auth: 'admin', body: DuplicateBody, responses: { 201: { description: 'The copy.', schema: JourneyWithIssues } } })
  app.post('/api/journeys/:id/duplicate', async (c) => {
    const text = await readBody(c, 64 * 1024, '64 KB')
    const body = validate(DuplicateBody, text.trim() === '' ? undefined : parseJsonText(text))
    const j = await engine.duplicateJourney(c.req.param('id'), body.name)
    if (!j) throw notFound('journey', c.req.param('id'))
    await notify('journey.created', j)
    return c.json({ ...j, issues: await issuesOf(j.graph, j.settings) }, 201)
  })

  for (const action of ['pause', 'resume'] as const) {
    doc({ method: 'post', path: `/api/journeys/:id/${action}`, summary: action === 'pause' ? 'Pause: users hold in place, events are kept.' : 'Resume: held events and due timers are applied.', tag, auth: 'admin', responses: { 200: { description: 'The journey.', schema: Journey } } })
    app.post(`/api/journeys/:id/${action}`, async (c) => {
      const result = await engine.setPaused(c.req.param('id'), action === 'pause')
      if (result === null) throw notFound('journey', c.req.param('id'))
      if ('ok' in result) throw new ApiError(result.code, result.message)
      await notify(action === 'pause' ? 'journey.paused' : 'journey.resumed', result)
      return c.json(result)
    })
  }

  doc({ method: 'get', path: '/api/journeys/:id/versions', summary: 'Published versions.', tag, auth: 'admin', responses: { 200: { description: 'Versions, oldest first.', schema: z.object({ versions: z.array(JourneyVersion) }) } } })
  app.get('/api/journeys/:id/versions', async (c) => {
    const versions = await engine.listVersions(c.req.param('id'))
    if (!versions) throw notFound('journey', c.req.param('id'))
    return c.json({ versions })
  })

  doc({ method: 'get', path: '/api/journeys/:id/versions/:version', summary: 'One published version with its graph.', tag, auth: 'admin', responses: { 200: { description: 'The version.', schema: VersionDetail } } })
  app.get('/api/journeys/:id/versions/:version', async (c) => {
    const n = Number(c.req.param('version'))
    // Versions count from 1 and fit a 32-bit integer column; anything else names no version.
    const v = Number.isInteger(n) && n >= 1 && n <= 2 ** 31 - 1 ? await engine.getVersion(c.req.param('id'), n) : null
    if (!v) throw new ApiError('version.not_found', `Journey “${c.req.param('id')}” has no version ${c.req.param('version')}.`)
    return c.json({ version: v.version, publishedAt: new Date(v.publishedAt).toISOString(), hash: v.hash, graph: v.graph, settings: v.settings })
  })

  doc({ method: 'post', path: '/api/validate', summary: 'Check a graph without saving it.', tag, auth: 'admin', body: ValidateBody, responses: { 200: { description: 'Every problem, or none.', schema: IssuesAnswer } } })
  app.post('/api/validate', async (c) => {
    const body = await jsonBody(c, ValidateBody)
    return c.json({ issues: await issuesOf(body.graph, body.settings) })
  })

  doc({ method: 'get', path: '/api/journeys/:id/stats', summary: 'Users entered, active and per outlet for each node.', tag: 'Inspection', auth: 'admin', query: StatsQuery, responses: { 200: { description: 'Counts per node.', schema: JourneyStats } } })
  app.get('/api/journeys/:id/stats', async (c) => {
    await mustGet(c.req.param('id'))
    const q = validate(StatsQuery, c.req.query(), 'query')
    const stats = await engine.stats(c.req.param('id'), q.version)
    for (const i of integrations) {
      for (const [nodeId, extra] of Object.entries((await i.nodeStats?.(c.req.param('id'))) ?? {})) {
        const node = own(stats.nodes, nodeId)
        if (node) Object.assign(node, extra)
        else stats.nodes[nodeId] = { entered: 0, active: 0, outlets: dict<number>(), ...extra }
      }
    }
    return c.json(stats)
  })

  doc({ method: 'get', path: '/api/journeys/:id/users', summary: 'Users who entered the journey, most recent first.', tag: 'Inspection', auth: 'admin', query: UsersQuery, responses: { 200: { description: 'Users.', schema: UsersAnswer } } })
  app.get('/api/journeys/:id/users', async (c) => {
    await mustGet(c.req.param('id'))
    const q = validate(UsersQuery, c.req.query(), 'query')
    const users = await engine.users(c.req.param('id'), q.prefix === undefined ? { limit: q.limit } : { prefix: q.prefix, limit: q.limit })
    return c.json({ users: users.map((u) => ({ ...u, lastActivityAt: new Date(u.lastActivityAt).toISOString() })) })
  })

  doc({ method: 'get', path: '/api/journeys/:id/users/:userId', summary: "A page of a user's runs, newest first (20 unless ?limit=, at most 100), each with its first 200 history items (?historyLimit=); nextCursor and historyNextCursor fetch the rest.", tag: 'Inspection', auth: 'admin', query: UserRunsQuery, responses: { 200: { description: 'Runs.', schema: UserJourneyView } } })
  app.get('/api/journeys/:id/users/:userId', async (c) => {
    const id = c.req.param('id')
    await mustGet(id)
    const q = validate(UserRunsQuery, c.req.query(), 'query')
    const before = q.cursor === undefined ? undefined : decodeCursor(RunCursor, q.cursor)
    const page = await engine.userRunsPage(id, c.req.param('userId'), { limit: q.limit, historyLimit: q.historyLimit, ...(before ? { before: { startedAt: before[0], runId: before[1] } } : {}) })
    await completeHistory(integrations, page.runs.flatMap((r) => r.run.history))
    return c.json({
      runs: page.runs.map(({ run, historyNext }) => ({ ...run, historyNextCursor: historyNext === null ? null : encodeCursor([historyNext]) })),
      nextCursor: page.next === null ? null : encodeCursor([page.next.startedAt, page.next.runId]),
    })
  })

  doc({ method: 'get', path: '/api/journeys/:id/users/:userId/runs/:runId/history', summary: "More of a run's history, oldest first: ?cursor= is the run's historyNextCursor, then this answer's nextCursor (200 items unless ?limit=, at most 1,000).", tag: 'Inspection', auth: 'admin', query: HistoryQuery, responses: { 200: { description: 'History items.', schema: RunHistoryPage } } })
  app.get('/api/journeys/:id/users/:userId/runs/:runId/history', async (c) => {
    const { id, userId, runId } = c.req.param()
    await mustGet(id)
    const q = validate(HistoryQuery, c.req.query(), 'query')
    const afterId = q.cursor === undefined ? 0 : decodeCursor(HistoryCursor, q.cursor)[0]
    const page = await engine.runHistoryPage(runId, { afterId, limit: q.limit })
    if (!page || page.run.journeyId !== id || page.run.userId !== userId) {
      throw new ApiError('run.not_found', `User “${userId}” has no run “${runId}” in journey “${id}”.`)
    }
    await completeHistory(integrations, page.history)
    return c.json({ history: page.history, nextCursor: page.next === null ? null : encodeCursor([page.next]) })
  })
}
