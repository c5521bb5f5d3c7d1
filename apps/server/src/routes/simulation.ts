import type { Context, Hono } from 'hono'
import type { z } from 'zod'
import {
  BacktestAnswer,
  BacktestRequest,
  DEFAULT_SIMULATION_SPAN_MS,
  DraftGraph,
  MAX_BACKTEST_WINDOW_MS,
  MAX_SIMULATED_SPAN_MS,
  SimulateRequest,
  SimulationAnswer,
  relativeMs,
  resolveSimTime,
  type JourneySettings,
  type ValidationIssue,
} from '@switchyard/schema'
import { backtestJourney, simulateJourney, type EffectRenderer, type SimulatedJourney } from '@switchyard/engine'
import { jsonBody, validate } from '../body'
import type { AppDeps } from '../deps'
import { ApiError, notFound } from '../errors'
import { IssuesAnswer, invalidJourney } from './invalid-journey'
import { nodeReferences } from './references'

const MB = 1024 * 1024

/**
 * Test and backtest without side effects (PRODUCT.md 6.3): the draft, or a graph given in the
 * body, runs on the engine's own code against a private in-memory store and a virtual clock.
 * The live journal is only read (backtest); nothing is sent, stored or counted.
 */
export function mountSimulation(app: Hono, deps: AppDeps): void {
  const { engine, registry, integrations } = deps
  const tag = 'Simulation'
  const workspace = deps.config.workspace
  /** Each integration renders its own jobs, as its dispatcher would before sending. */
  const renderer: EffectRenderer = {
    message: (job) => integrations.find((i) => i.render?.message)?.render?.message?.(job) ?? Promise.resolve({ ok: false, reason: 'No channel integration renders messages here.' }),
    webhook: (job) => integrations.find((i) => i.render?.webhook)?.render?.webhook?.(job) ?? Promise.resolve({ ok: false, reason: 'No webhook integration renders webhooks here.' }),
  }
  /** The draft, or the graph and settings the request brings instead. */
  const journeyFor = async (c: Context, body: { graph?: unknown; settings?: JourneySettings | undefined }): Promise<SimulatedJourney> => {
    const j = await engine.getJourney(c.req.param('id') ?? '')
    if (!j) throw notFound('journey', c.req.param('id') ?? '')
    const graph = body.graph === undefined ? j.graph : validate(DraftGraph, body.graph)
    return { id: j.id, name: j.name, graph, settings: body.settings ?? j.settings }
  }

  /** Both routes take a graph-or-draft body, answer 422 with its issues as publish does, and otherwise their answer. */
  const route = <S extends z.ZodType<{ graph?: unknown; settings?: JourneySettings | undefined }>>(
    path: string,
    summary: string,
    request: S,
    answer: { description: string; schema: z.ZodType },
    doing: string,
    run: (body: z.output<S>, journey: SimulatedJourney) => Promise<{ ok: true; answer: unknown } | { ok: false; issues: ValidationIssue[] }>,
  ) => {
    registry.add({ method: 'post', path, summary, tag, auth: 'admin', body: request, responses: { 200: answer, 422: { description: 'The graph has problems (journey.invalid).', schema: IssuesAnswer } } })
    app.post(path, async (c) => {
      const body = await jsonBody(c, request, 2 * MB)
      const result = await run(body, await journeyFor(c, body))
      return result.ok ? c.json(result.answer) : invalidJourney(c, result.issues, doing)
    })
  }

  route(
    '/api/journeys/:id/simulate',
    'Run the draft (or the graph given) for scripted users and events on a virtual clock: each user’s path (history items), the stats, and every message and webhook that would leave, rendered. Times are ISO or "+<n><s|m|h|d|w>" after "start" (default now); "until" (default +30d) ends it. Nothing is sent, stored or counted.',
    SimulateRequest,
    { description: 'Paths, stats and effects.', schema: SimulationAnswer },
    'simulated',
    async (body, journey) => {
      const start = body.start === undefined ? engine.clock.now() : Date.parse(body.start)
      const until = start + (body.until === undefined ? DEFAULT_SIMULATION_SPAN_MS : (relativeMs(body.until) ?? 0))
      if (until - start > MAX_SIMULATED_SPAN_MS) throw new ApiError('simulation.invalid', `"until" is ${body.until ?? ''}: a simulation covers at most 366 days; give a shorter "until".`)
      const events = body.events.map((e, index) => {
        const atMs = resolveSimTime(e.at, start)
        if (atMs < start || atMs > until) {
          throw new ApiError('simulation.invalid', `events.${index} is at ${e.at}, outside the simulation (${new Date(start).toISOString()} to ${new Date(until).toISOString()}): give a time from "start" to "until", or move them.`, { index, at: e.at })
        }
        return { ...e, atMs }
      })
      return simulateJourney({ journey, references: await nodeReferences(integrations), renderer, workspace, start, until, users: body.users, events })
    },
  )

  route(
    '/api/journeys/:id/backtest',
    'Replay the journal events received between "from" and "to" (at most 31 days) through the draft (or the graph given) on a virtual clock: the stats it would have had, and the messages and webhooks per node. For the graph that was live over the window, the counts equal what happened. Nothing is sent, stored or counted.',
    BacktestRequest,
    { description: 'Stats and effects per node.', schema: BacktestAnswer },
    'backtested',
    async (body, journey) => {
      const from = Date.parse(body.from)
      const to = Date.parse(body.to)
      if (to <= from) throw new ApiError('backtest.invalid_window', `"to" (${body.to}) must come after "from" (${body.from}).`)
      if (to - from > MAX_BACKTEST_WINDOW_MS) throw new ApiError('backtest.invalid_window', `The window is ${Math.ceil((to - from) / 86_400_000)} days: a backtest replays at most 31 days; narrow "from" and "to".`)
      return backtestJourney({ source: engine.journalSource(), journey, references: await nodeReferences(integrations), renderer, workspace, from, to })
    },
  )
}
