import type {
  Channel,
  DraftGraph,
  HistoryKind,
  IngestedEvent,
  JourneyInput,
  JourneySettings,
  JourneyStatus,
  OutboxJob,
  RunStatus,
  StoredOutboxJob,
  ValidationIssue,
} from '@switchyard/schema'
import type { MachineJson } from '@switchyard/compiler'

/** The run's own memory, kept in its snapshot's context. */
export interface RunContext {
  runId: string
  journeyId: string
  version: number
  userId: string
  /** The event that last moved the run (trigger or matched wait), for `event.*` paths. */
  event: StoredEvent | null
  /** The nearest preceding message, for activity waits. */
  message: { nodeId: string; id: string; channel: Channel } | null
  /** Held out of every message as the journey's control group (run context v1 rows read as false). */
  control: boolean
  /** The user's current profile, refreshed before every transition; never persisted. */
  user: { id: string; traits: Record<string, unknown> }
  /**
   * Node id -> the outlet the node has fixed for every new arrival (a split's winner), decided
   * once for the version; set before every transition, never persisted.
   */
  fixed?: Record<string, string>
}

/** What of a run's context is kept with the run. */
export type StoredRunContext = Omit<RunContext, 'user' | 'fixed'>

export interface StoredEvent {
  name: string
  properties: Record<string, unknown>
  messageId: string
  timestamp: string
}

export interface RunRecord {
  runId: string
  journeyId: string
  version: number
  userId: string
  status: RunStatus
  stateKey: string
  currentNodeId: string | null
  context: StoredRunContext
  waitingUntil: number | null
  startedAt: number
  endedAt: number | null
  /** Held because the journey is paused: events to apply on resume. */
}

export interface HistoryRecord {
  runId: string
  journeyId: string
  at: number
  nodeId: string
  kind: HistoryKind
  outlet: string | null
  messageId: string | null
  detail: Record<string, unknown> | null
}

/** A run whose journey has a goal, waiting for the goal event until its conversion window closes. */
export interface GoalWatch {
  runId: string
  journeyId: string
  version: number
  userId: string
  enteredAt: number
  deadline: number
  control: boolean
  /** The trigger's event id: the event that started the run does not convert it. */
  triggerMessageId: string
  /** The outlet the run took at each node that branches (node id -> outlet): a conversion counts for each. */
  outlets?: Record<string, string>
}

export interface TimerRecord {
  runId: string
  nodeId: string
  journeyId: string
  userId: string
  dueAt: number
}

export interface OutboxRecord {
  id: string
  kind: OutboxJob['kind']
  job: StoredOutboxJob
  createdAt: number
}

export interface JournalEntry extends IngestedEvent {
  seq: number
}

export interface UserRecord {
  userId: string
  traits: Record<string, unknown>
}

export interface JourneyRecord {
  id: string
  name: string
  status: JourneyStatus
  graph: DraftGraph
  settings: JourneySettings
  version: number | null
  /** Hash of the draft's compiled machine when it was last published, to tell unpublished edits. */
  publishedDraftHash: string | null
  createdAt: number
  updatedAt: number
}

export interface JourneyVersionRecord {
  journeyId: string
  version: number
  graph: DraftGraph
  settings: JourneySettings
  machine: MachineJson
  hash: string
  /** The `COMPILER_VERSION` that made `machine`; 0 for versions published before it was kept. */
  compilerVersion: number
  publishedAt: number
}

export type PublishResult =
  | { ok: true; version: number; activeUsersOnOlderVersions: number; migrated?: { moved: number; exited: number; kept: number } }
  | { ok: false; issues: ValidationIssue[] }

/** A change to stats counters, summed per batch before it is written. */
export interface CounterDelta {
  journeyId: string
  version: number
  nodeId: string
  metric: string
  delta: number
}

export interface AppliedBatch {
  kind: 'events' | 'timers'
  /** `receivedAt` of each event, or `dueAt` of each timer, in the batch. */
  since: number[]
  committedAt: number
  /** Events of the batch that failed to apply and were set aside (see EngineOptions.onSetAside). */
  setAside?: number
}

export type JourneyPatch = Partial<Pick<JourneyInput, 'name' | 'graph' | 'settings'>>

export interface EngineCounters {
  eventsAccepted: number
  eventsDuplicate: number
  eventsApplied: number
  /** Events that failed to apply on their own and were passed over (they stay in the journal). */
  eventsSetAside: number
  timersFired: number
}
