import { z } from 'zod'
import { ActivityStatus } from './channels'
import { JourneySettings } from './graph'
import { HistoryItem, JourneyStats } from './api'

/** A simulation's bounds: enough for a test of many users, small enough to answer in a request. */
export const MAX_SIMULATED_USERS = 1_000
export const MAX_SIMULATED_EVENTS = 10_000
/** How far `until` may lie after `start`: the longest duration a journey may hold, one year. */
export const MAX_SIMULATED_SPAN_MS = 366 * 86_400_000
/** The longest window a backtest replays. */
export const MAX_BACKTEST_WINDOW_MS = 31 * 86_400_000
/** `until` when the request leaves it out: `+30d`. */
export const DEFAULT_SIMULATION_SPAN_MS = 30 * 86_400_000

const RELATIVE_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const
const RELATIVE = /^\+(\d{1,6})(s|m|h|d|w)$/

/** `"+2d"` -> 172,800,000; anything else -> null. Units: s, m, h, d, w. */
export function relativeMs(text: string): number | null {
  const m = RELATIVE.exec(text)
  if (!m) return null
  const unit = m[2]
  return unit === 's' || unit === 'm' || unit === 'h' || unit === 'd' || unit === 'w' ? Number(m[1]) * RELATIVE_UNIT_MS[unit] : null
}

/** An ISO time, or a time counted from the simulation's start (`"+15m"`, `"+2h"`, `"+3d"`). */
export function resolveSimTime(text: string, start: number): number {
  const rel = relativeMs(text)
  return rel === null ? Date.parse(text) : start + rel
}

const IsoTime = z.string().refine((t) => /^\d{4}-\d\d-\d\dT/.test(t) && !Number.isNaN(Date.parse(t)), 'Give an ISO time such as "2026-01-31T09:00:00Z".')
const RelativeTime = z.string().refine((t) => relativeMs(t) !== null, 'Give a time after the start as "+<number><s|m|h|d|w>", such as "+2d".')
const SimTime = z.string().refine((t) => relativeMs(t) !== null || (/^\d{4}-\d\d-\d\dT/.test(t) && !Number.isNaN(Date.parse(t))), 'Give an ISO time or a time after the start such as "+2d" (units s, m, h, d, w).')
const UserId = z.string().min(1, 'Give every user a userId.').max(512)
const Props = z.record(z.string(), z.unknown())

export const SimulatedUser = z.object({ userId: UserId, traits: Props.optional() })
export type SimulatedUser = z.infer<typeof SimulatedUser>

export const SimulatedEvent = z
  .object({
    at: SimTime,
    userId: UserId,
    type: z.enum(['track', 'identify']).default('track'),
    event: z.string().trim().min(1).max(200).optional(),
    properties: Props.optional(),
    traits: Props.optional(),
    /** A status for the message the journey sent this user last (`opened`, `clicked`, ...). */
    activity: z.object({ status: ActivityStatus }).optional(),
  })
  .refine((e) => e.type === 'identify' || (e.event === undefined) !== (e.activity === undefined), {
    message: 'A track event needs either an "event" name or an "activity": { "status" }, not both.',
  })
export type SimulatedEvent = z.infer<typeof SimulatedEvent>

/** `POST /api/journeys/:id/simulate`: the draft (or `graph`) on a virtual clock. */
export const SimulateRequest = z.object({
  graph: z.unknown().optional(),
  settings: JourneySettings.optional(),
  start: IsoTime.optional(),
  users: z.array(SimulatedUser).max(MAX_SIMULATED_USERS, `At most ${MAX_SIMULATED_USERS} users per simulation.`).default([]),
  events: z.array(SimulatedEvent).max(MAX_SIMULATED_EVENTS, `At most ${MAX_SIMULATED_EVENTS} events per simulation.`).default([]),
  until: RelativeTime.optional(),
})
export type SimulateRequest = z.infer<typeof SimulateRequest>

/** A side effect that would have left: the message as rendered, or the webhook request as it would be sent. */
export const SimulatedEffect = z.object({
  kind: z.enum(['message', 'webhook']),
  userId: z.string(),
  nodeId: z.string(),
  at: z.string(),
  rendered: z.unknown(),
  /** Why it could not be rendered (a Liquid error, a missing webhook); `rendered` is then null. */
  error: z.string().optional(),
})
export type SimulatedEffect = z.infer<typeof SimulatedEffect>

export const SimulatedUserPath = z.object({
  userId: z.string(),
  path: z.array(HistoryItem),
  endedAt: z.string().optional(),
  waitingAt: z.string().optional(),
})
export type SimulatedUserPath = z.infer<typeof SimulatedUserPath>

export const SimulationAnswer = z.object({
  users: z.array(SimulatedUserPath),
  stats: JourneyStats,
  effects: z.array(SimulatedEffect),
})
export type SimulationAnswer = z.infer<typeof SimulationAnswer>

/** `POST /api/journeys/:id/backtest`: the journal of a window replayed through the draft. */
export const BacktestRequest = z.object({ graph: z.unknown().optional(), settings: JourneySettings.optional(), from: IsoTime, to: IsoTime })
export type BacktestRequest = z.infer<typeof BacktestRequest>

export const EffectCounts = z.object({ messages: z.number().int(), webhooks: z.number().int() })
export type EffectCounts = z.infer<typeof EffectCounts>

export const BacktestAnswer = z.object({
  stats: JourneyStats,
  effects: z.record(z.string(), EffectCounts),
  replayed: z.object({ events: z.number().int(), users: z.number().int(), from: z.string(), to: z.string() }),
})
export type BacktestAnswer = z.infer<typeof BacktestAnswer>

/** How a publish treats runs on older versions: see PRODUCT.md 6.4. */
export const MigratePolicy = z.object({
  policy: z.enum(['keep', 'move']).default('keep'),
  /** Old node id -> new node id, for steps renamed in the new version. */
  map: z.record(z.string(), z.string()).optional(),
  onRemoved: z.enum(['exit', 'keep']).default('keep'),
})
export type MigratePolicy = z.infer<typeof MigratePolicy>

export const PublishRequest = z.object({ migrate: MigratePolicy.optional() })
export type PublishRequest = z.infer<typeof PublishRequest>

export const WaitingGroup = z.object({
  version: z.number().int(),
  nodeId: z.string(),
  users: z.number().int(),
  /** Where a move takes them: the same node id or the mapped one; null when the node is gone. */
  to: z.string().nullable(),
  /** What this publish does to them under the policy given: stay on their version, move, or exit. */
  action: z.enum(['keep', 'move', 'exit']),
})
export type WaitingGroup = z.infer<typeof WaitingGroup>

export const PublishPreview = z.object({
  diff: z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()) }),
  waiting: z.array(WaitingGroup),
  /** The version this publish would make. */
  version: z.number().int(),
})
export type PublishPreview = z.infer<typeof PublishPreview>
