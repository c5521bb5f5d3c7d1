import { noNul } from './events'
import { z } from 'zod'
import { Condition } from './condition'
import { Duration } from './duration'
import { Channel } from './channels'
import { EventName, Outlet } from './nodes'
import { JourneyNode } from './kinds'

export const Edge = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  target: z.string().min(1),
  sourceHandle: Outlet,
  targetHandle: z.string().nullish(),
})
export type Edge = z.infer<typeof Edge>

/** A graph that passed validateGraph: every node typed, every edge well formed. */
export const Graph = z.object({ nodes: z.array(JourneyNode), edges: z.array(Edge) })
export type Graph = z.infer<typeof Graph>

/**
 * What a draft may hold: the canvas autosaves work in progress, so nodes and edges are only
 * required to have the outer shape. validateGraph says what is missing before publish.
 */
export const DraftNode = z.looseObject({
  id: z.string(),
  type: z.string(),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  data: z.record(z.string(), z.unknown()).default({}),
})
export type DraftNode = z.infer<typeof DraftNode>
export const DraftEdge = z.looseObject({
  id: z.string(),
  source: z.string(),
  target: z.string(),
  sourceHandle: z.string().nullish(),
  targetHandle: z.string().nullish(),
})
export type DraftEdge = z.infer<typeof DraftEdge>
export const DraftGraph = z.object({
  nodes: z.array(DraftNode).max(20_000).default([]),
  edges: z.array(DraftEdge).max(40_000).default([]),
})
export type DraftGraph = z.infer<typeof DraftGraph>

export const REENTRY_POLICIES = ['never', 'afterExit', 'always'] as const
export const Reentry = z.enum(REENTRY_POLICIES)
export type Reentry = z.infer<typeof Reentry>

/** Clock time in the user's timezone, `HH:MM`. */
export const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use a 24-hour time such as 21:30.')

export const JourneySettings = z.object({
  reentry: Reentry.default('afterExit'),
  /** Events that take a user out of the journey wherever they are. */
  exitEvents: z.array(EventName).optional(),
  /** A conversion goal: the event, optionally filtered, within a window after entry. */
  goal: z.object({ event: EventName, where: Condition.optional(), within: Duration }).optional(),
  /** Do not disturb: messages due in the window wait until it ends, or are skipped. */
  quietHours: z
    .object({ start: ClockTime, end: ClockTime, behaviour: z.enum(['hold', 'skip']).default('hold'), defaultTimezone: z.string().optional() })
    .optional(),
  /** Most users who may ever enter. */
  targetingCap: z.number().int().positive().optional(),
  /** Percentage of entering users held out of every message, for comparison. */
  controlGroupPercent: z.number().min(0).max(100).optional(),
  /** Most messages per channel a user may get across all journeys within a period. */
  frequencyCaps: z.array(z.object({ channel: Channel, max: z.number().int().positive(), per: Duration })).optional(),
})
export type JourneySettings = z.infer<typeof JourneySettings>
export type JourneySettingsInput = z.input<typeof JourneySettings>

export const JOURNEY_NAME_MAX = 200
/** A journey's name, wherever one is given: on create, on a draft edit, on a copy. */
export const JourneyName = z.string().trim().min(1, 'Give the journey a name.').max(JOURNEY_NAME_MAX).refine(noNul, 'A journey name must not contain a NUL character (\\u0000).')
export const JourneyInput = z.object({
  name: JourneyName,
  graph: DraftGraph.default({ nodes: [], edges: [] }),
  settings: JourneySettings.default({ reentry: 'afterExit' }),
})
export type JourneyInput = z.infer<typeof JourneyInput>
