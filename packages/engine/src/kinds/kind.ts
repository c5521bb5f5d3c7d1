import { evaluateCondition, type Condition, type HistoryKind, type JourneyNode, type NodeOf, type NodeStats, type NodeType } from '@switchyard/schema'
import type { JourneyGuard, MachineEvent } from '@switchyard/compiler'
import type { LoadedVersion } from '../catalog'
import type { CounterDelta, RunContext, RunRecord, StoredEvent } from '../records'
import type { UserState } from '../store'

export type TrackEvent = Extract<MachineEvent, { type: 'track' }>

/** What a guard sees: the run's context (with the user's current profile) and the event. */
export interface GuardArgs {
  context: RunContext
  event: MachineEvent
}

/** Every guard the compiler may name, with its params. */
export type GuardImpls = { [G in JourneyGuard as G['type']]: (args: GuardArgs, params: G['params']) => boolean }

/** What a history row of a step is written from. */
export interface DetailInput<N extends JourneyNode = JourneyNode> {
  now: number
  kind: HistoryKind
  node: N
  loaded: LoadedVersion
  run: RunRecord
  event: TrackEvent | null
  where: Condition | undefined
  user: UserState
}

/**
 * What the engine knows of one node kind: the guards its compiled states name, and what the
 * history rows it writes on arrival (`entered`) or when it picks an outlet (`branch`) show.
 */
export interface EngineKind<T extends NodeType> {
  guards: Partial<GuardImpls>
  /** The detail of the kind's own rows; undefined leaves it to the rows' common details. */
  detail(input: DetailInput<NodeOf<T>>): Record<string, unknown> | null | undefined
  /** Figures of the kind's own beside entered/active/outlets, from the version's counters. */
  stats?(node: NodeOf<T>, counters: readonly CounterDelta[]): Partial<NodeStats>
  /**
   * A decision the node makes once per version (a split's winner): when it is due, or undefined
   * for none. Once due, `decide` picks the outlet every new arrival takes from then on; guards see
   * it in `context.fixed`.
   */
  decisionDue?(node: NodeOf<T>, publishedAt: number): number | undefined
  decide?(node: NodeOf<T>, counters: readonly CounterDelta[]): string | undefined
}

/** Counters a branching node keeps per outlet, beside `outlet:<outlet>` (runs that left by it). */
export const OUTLET_METRICS = {
  /** Goal conversions of runs that left the node by the outlet. */
  converted: (outlet: string) => `converted:${outlet}`,
  /** The outlet the node fixed for new arrivals, written once when it decides. */
  fixed: (outlet: string) => `fixed:${outlet}`,
} as const

/** The outlet a node fixed for its version, as its counters recorded it. */
export function recordedFixed(counters: readonly CounterDelta[], nodeId: string): string | undefined {
  const prefix = OUTLET_METRICS.fixed('')
  return counters.find((c) => c.nodeId === nodeId && c.delta > 0 && c.metric.startsWith(prefix))?.metric.slice(prefix.length)
}

export function storedEvent(e: TrackEvent): StoredEvent {
  return { name: e.name, properties: e.properties, messageId: e.messageId, timestamp: e.timestamp }
}

export function holds(where: Condition | undefined, event: StoredEvent | null, user: RunContext['user']): boolean {
  return where === undefined || evaluateCondition(where, { event, user })
}

/** A wait's or delay's arrival row: what it waits for and until when. */
export function waitingDetail(waitingFor: string, run: RunRecord): Record<string, unknown> {
  return { waitingFor, until: run.waitingUntil === null ? null : new Date(run.waitingUntil).toISOString() }
}
