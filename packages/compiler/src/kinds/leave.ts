import type { JourneyAction } from '../actions'
import type { StateJson, TransitionJson } from '../machine'

/** The synthetic final state a run reaches when it leaves by an outlet connected to nothing. */
export const END_STATE = '$end'

/** How a node's state leaves by its outlets; what every kind's compiler is given. */
export interface Leaving {
  nodeId: string
  /** The node's state `meta` and its `enter` action, which every state starts with. */
  meta: NonNullable<StateJson['meta']>
  enter: JourneyAction
  /** Leaving by `outlet`: to its target, or to the end (recording completion) when unconnected. */
  by(outlet: string, actions: JourneyAction[]): TransitionJson
  /** The outlet, or null when nothing is connected to it (a run leaving by it completes). */
  outletOrNull(outlet: string): string | null
}

export function leaving(nodeId: string, targetOf: (outlet: string) => string | null, nodeType: string): Leaving {
  return {
    nodeId,
    meta: { nodeId, nodeType },
    enter: { type: 'enter', params: { nodeId } },
    by(outlet, actions) {
      const target = targetOf(outlet)
      if (target !== null) return { target, actions }
      return { target: END_STATE, actions: [...actions, { type: 'record', params: { nodeId, kind: 'completed', outlet: null } }] }
    },
    outletOrNull: (outlet) => (targetOf(outlet) === null ? null : outlet),
  }
}
