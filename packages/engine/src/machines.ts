import { assign, createActor, setup } from 'xstate'
import type { Channel } from '@switchyard/schema'
import type { MachineEvent, MachineJson, TransitionJson } from '@switchyard/compiler'
import { messageIdFor } from './ids'
import { allGuards } from './kinds'
import type { RunContext, StoredRunContext } from './records'

import { storedEvent } from './kinds/kind'

export { storedEvent }


const noop = () => {}

/**
 * The implementations the compiled configs name. Side-effect actions are left empty: the engine
 * reads them from `transition()`'s result and turns them into rows. Guards (each node kind's, from
 * the engine's kind registry) and assigns run inside the pure transition.
 */
const journeySetup = setup({
  // XState's documented way to declare the machine's types; no value is cast.
  types: {} as { context: RunContext; events: MachineEvent; input: RunContext },
  actions: {
    enter: noop,
    record: noop,
    sendMessage: noop,
    scheduleTimer: noop,
    cancelTimer: noop,
    enqueueWebhook: noop,
    rememberEvent: assign({ event: ({ context, event }) => (event.type === 'track' ? storedEvent(event) : context.event) }),
    rememberMessage: assign({
      message: ({ context }, params: { nodeId: string; channel: Channel }) => ({
        nodeId: params.nodeId,
        channel: params.channel,
        id: messageIdFor(context.runId, params.nodeId),
      }),
    }),
  },
  guards: allGuards(),
})

export function createJourneyMachine(json: MachineJson) {
  return journeySetup.createMachine({ ...json, context: ({ input }) => input })
}

export type JourneyMachine = ReturnType<typeof createJourneyMachine>

type TrackEvent = Extract<MachineEvent, { type: 'track' }>
type JourneySnapshot = ReturnType<JourneyMachine['resolveState']>
type RawAction = { type: string; params?: unknown }
type TrackFilter = (name: string, context: StoredRunContext) => boolean

/**
 * Transitions of one compiled machine, without the cost xstate's `transition()` adds per call:
 * it creates a throwaway actor, and the actor computes the machine's initial snapshot first,
 * which doubled the price of every step. Journey machines spawn no children and schedule
 * nothing, so one inert scope serves every call; the actions are collected per call.
 */
export class JourneyStepper {
  private collected: RawAction[] = []
  private readonly scope
  private readonly trackFilters = new Map<string, TrackFilter>()

  constructor(
    readonly machine: JourneyMachine,
    json: MachineJson,
  ) {
    const self = createActor(machine, { input: { runId: '', journeyId: '', version: 0, userId: '', event: null, message: null, control: false, user: { id: '', traits: {} } } })
    this.scope = {
      self,
      id: '',
      sessionId: '',
      system: self.system,
      logger: noop,
      defer: noop,
      emit: noop,
      stopChild: noop,
      actionExecutor: (action: RawAction) => {
        this.collected.push(action)
      },
    }
    for (const [key, state] of Object.entries(json.states)) this.trackFilters.set(key, trackFilter(state.on?.track ?? []))
  }

  initial(input: RunContext): [JourneySnapshot, RawAction[]] {
    this.collected = []
    const next = this.machine.getInitialSnapshot(this.scope, input)
    return [next, this.collected]
  }

  transition(snapshot: JourneySnapshot, event: MachineEvent): [JourneySnapshot, RawAction[]] {
    this.collected = []
    const next = this.machine.transition(snapshot, event, this.scope)
    return [next, this.collected]
  }

  /**
   * False when no `track` transition of the state could take this event, judged from the guards'
   * params alone (their `where` would only narrow further): most events a user sends concern no
   * run they are in, and need not pay for a transition that would change nothing.
   */
  mayConsume(stateKey: string, event: TrackEvent, context: StoredRunContext): boolean {
    const filter = this.trackFilters.get(stateKey)
    return filter === undefined || filter(event.name, context)
  }
}

function trackFilter(transitions: TransitionJson[]): TrackFilter {
  if (transitions.length === 0) return () => false
  const names = new Set<string>()
  const statuses = new Set<string>()
  for (const t of transitions) {
    if (t.guard?.type === 'eventMatches') names.add(t.guard.params.event)
    else if (t.guard?.type === 'activityMatches') statuses.add(t.guard.params.status)
    // Any other guard, or none: only the machine can tell.
    else return () => true
  }
  return (name, context) =>
    names.has(name) || (context.message !== null && name.startsWith(`${context.message.channel}.`) && statuses.has(name.slice(context.message.channel.length + 1)))
}
