import type { Channel, Condition, HistoryKind, Outlet, WebhookBody } from '@switchyard/schema'
import type { ConditionGuard } from './kinds/condition'
import type { SplitGuard } from './kinds/split'
import type { WaitGuard } from './kinds/wait'

/**
 * The named actions a compiled machine references. The compiler only names them with params;
 * the engine provides what they do. Every param is plain JSON so the config hashes stably.
 */
export type JourneyAction =
  /** The run arrived at a node (counts `entered` for stats). */
  | { type: 'enter'; params: { nodeId: string } }
  /** A history row; `outlet` is set when the row marks the node being left. */
  | { type: 'record'; params: { nodeId: string; kind: HistoryKind; outlet: Outlet | null; where?: Condition } }
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

/** The guards the kinds' states name, each declared in its kind's module (kinds/). */
export type JourneyGuard = WaitGuard | ConditionGuard | SplitGuard

export type JourneyGuardType = JourneyGuard['type']

/** What the engine sends to a machine. Every event carries the user's current traits. */
export type MachineEvent =
  | { type: 'track'; name: string; properties: Record<string, unknown>; messageId: string; timestamp: string }
  | { type: 'timer'; nodeId: string }
