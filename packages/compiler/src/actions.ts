import type { ActivityStatus, Channel, Condition, HistoryKind, Outlet, WebhookBody } from '@switchyard/schema'

/**
 * The named actions a compiled machine references. The compiler only names them with params;
 * the engine provides what they do. Every param is plain JSON so the config hashes stably.
 */
export type JourneyAction =
  /** The run arrived at a node (counts `entered` for stats). */
  | { type: 'enter'; params: { nodeId: string } }
  /** A history row; `outlet` is set when the row marks the node being left. */
  | { type: 'record'; params: { nodeId: string; kind: HistoryKind; outlet: Outlet | null; where?: Condition } }
  /** A split puts the user's branch in the run's context: by weight, or the winner once chosen. */
  | { type: 'chooseBranch'; params: { nodeId: string; branches: { id: string; percent: number }[]; winner: boolean } }
  /** Keeps the event that moved the run, for `event.*` paths further on. */
  | { type: 'rememberEvent' }
  /** Keeps the message of this action node, for activity waits further on. */
  | { type: 'rememberMessage'; params: { nodeId: string; channel: Channel } }
  | {
      type: 'sendMessage'
      params: { nodeId: string; channel: Channel; message: Record<string, unknown>; providerId: string | null; outlet: Outlet | null }
    }
  | { type: 'scheduleTimer'; params: TimerSpec }
  | { type: 'cancelTimer'; params: { nodeId: string } }
  | {
      type: 'enqueueWebhook'
      params: {
        nodeId: string
        webhookId: string
        params: string[]
        customParams: Record<string, string>
        body: WebhookBody
        outlet: Outlet | null
      }
    }

export type TimerSpec =
  | { nodeId: string; afterMs: number }
  | { nodeId: string; until: { path: string; offsetMs: number } }

export type JourneyActionType = JourneyAction['type']

export type JourneyGuard =
  /** The incoming event is the awaited one (by name or as activity of the run's message). */
  | { type: 'eventMatches'; params: { event: string; where?: Condition } }
  | { type: 'activityMatches'; params: { status: ActivityStatus; where?: Condition } }
  /** The incoming timer event is this node's. */
  | { type: 'timerIs'; params: { nodeId: string } }
  /** A condition node's `where`, on the run's event and the user's current traits. */
  | { type: 'conditionHolds'; params: { where: Condition } }
  /** The branch `chooseBranch` put in the run's context for this split. */
  | { type: 'branchIs'; params: { nodeId: string; branch: string } }

export type JourneyGuardType = JourneyGuard['type']

/** What the engine sends to a machine. Every event carries the user's current traits. */
export type MachineEvent =
  | { type: 'track'; name: string; properties: Record<string, unknown>; messageId: string; timestamp: string }
  | { type: 'timer'; nodeId: string }
