import { z } from 'zod'
import { DraftGraph, JourneySettings } from './graph'

/** The one error shape of every API answer that is not a success. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
})
export type ErrorBody = z.infer<typeof ErrorBody>

export const JOURNEY_STATUSES = ['draft', 'live', 'paused'] as const
export const JourneyStatus = z.enum(JOURNEY_STATUSES)
export type JourneyStatus = z.infer<typeof JourneyStatus>

export const Journey = z.object({
  id: z.string(),
  name: z.string(),
  status: JourneyStatus,
  graph: DraftGraph,
  settings: JourneySettings,
  /** Latest published version, null while never published. */
  version: z.number().int().nullable(),
  /** True when the draft differs from the latest published version. */
  hasUnpublishedChanges: z.boolean(),
  activeUsers: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type Journey = z.infer<typeof Journey>

export const JourneyVersion = z.object({
  version: z.number().int(),
  publishedAt: z.string(),
  hash: z.string(),
  activeUsers: z.number().int(),
})
export type JourneyVersion = z.infer<typeof JourneyVersion>

export const RUN_STATUSES = ['active', 'completed', 'exited', 'migrated'] as const
export const RunStatus = z.enum(RUN_STATUSES)
export type RunStatus = z.infer<typeof RunStatus>

export const HISTORY_KINDS = ['entered', 'event', 'timeout', 'branch', 'message', 'webhook', 'completed', 'exited', 'migrated'] as const
export const HistoryKind = z.enum(HISTORY_KINDS)
export type HistoryKind = z.infer<typeof HistoryKind>

export const HistoryItem = z.object({
  at: z.string(),
  nodeId: z.string(),
  kind: HistoryKind,
  outlet: z.string().nullable(),
  messageId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  /** The step's name on the version the run is on: its label, or a default such as "Message 2". */
  nodeLabel: z.string().optional(),
})
export type HistoryItem = z.infer<typeof HistoryItem>

export const RunView = z.object({
  runId: z.string(),
  version: z.number().int(),
  status: RunStatus,
  currentNodeId: z.string().nullable(),
  waitingUntil: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  history: z.array(HistoryItem),
})
export type RunView = z.infer<typeof RunView>

/** A run in a page of runs: its first history items, and the cursor for the rest (null: complete). */
export const UserRunView = RunView.extend({ historyNextCursor: z.string().nullable().default(null) })
export type UserRunView = z.infer<typeof UserRunView>

/**
 * `GET /api/journeys/:id/users/:userId`: a page of runs, newest first; `nextCursor` (null on the
 * last page) goes back as `?cursor=` for older runs.
 */
export const UserJourneyView = z.object({ runs: z.array(UserRunView), nextCursor: z.string().nullable().default(null) })
export type UserJourneyView = z.infer<typeof UserJourneyView>

/** `GET /api/journeys/:id/users/:userId/runs/:runId/history`: more of a run's history, oldest first. */
export const RunHistoryPage = z.object({ history: z.array(HistoryItem), nextCursor: z.string().nullable().default(null) })
export type RunHistoryPage = z.infer<typeof RunHistoryPage>

/** A split's branch: users who took it, those of them who reached the journey's goal, and the rate. */
export const BranchStats = z.object({ entered: z.number().int(), converted: z.number().int(), rate: z.number() })
export type BranchStats = z.infer<typeof BranchStats>
/**
 * A message step's delivery figures: messages sent (or tried), and how far each got. A message
 * counts once at its furthest status (a clicked one is also delivered and opened).
 */
export const MessageStats = z.object({
  sent: z.number().int(),
  delivered: z.number().int(),
  opened: z.number().int(),
  clicked: z.number().int(),
  failed: z.number().int(),
  bounced: z.number().int(),
  /** Of those sent, how many had no address on the channel (the sandbox took them; nobody got them). */
  noAddress: z.number().int(),
})
export type MessageStats = z.infer<typeof MessageStats>
export const NodeStats = z.object({
  /** The step's name on the version shown (see HistoryItem.nodeLabel). */
  label: z.string().optional(),
  entered: z.number().int(),
  active: z.number().int(),
  outlets: z.record(z.string(), z.number().int()),
  /** Split nodes only: per branch id, in the order of the branches. */
  branches: z.record(z.string(), BranchStats).optional(),
  /** Split nodes with a winner rule: the branch every new arrival takes, once chosen. */
  winner: z.string().optional(),
  /** Message (action) nodes only: delivery figures from the channels' message store. */
  messages: MessageStats.optional(),
})
export type NodeStats = z.infer<typeof NodeStats>
/** Journey-wide figures: distinct users, entries split by control group, and goal conversions. */
export const JourneySummary = z.object({
  users: z.number().int(),
  entered: z.number().int(),
  controlEntered: z.number().int(),
  converted: z.number().int(),
  controlConverted: z.number().int(),
})
export type JourneySummary = z.infer<typeof JourneySummary>
export const JourneyStats = z.object({ nodes: z.record(z.string(), NodeStats), journey: JourneySummary.optional() })
export type JourneyStats = z.infer<typeof JourneyStats>
