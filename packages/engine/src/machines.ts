import { assign, createActor, setup } from 'xstate'
import type { Channel } from '@switchyard/schema'
import type { JourneyAction, MachineEvent, MachineJson, TransitionJson } from '@switchyard/compiler'
import { messageIdFor } from './ids'
import { allGuards } from './kinds'
import type { RunContext, StoredRunContext } from './records'

import { storedEvent } from './kinds/kind'

export { storedEvent }


const noop = () => {}

/** A run context that belongs to no run: the stepper's own actor, and the sample run a plan is taken from. */
const NO_RUN: RunContext = { runId: '', journeyId: '', version: 0, userId: '', event: null, message: null, control: false, user: { id: '', traits: {} } }

/** What `rememberMessage` keeps: the message of this action node, by the id its send will have. */
function rememberedMessage(runId: string, params: { nodeId: string; channel: Channel }): NonNullable<RunContext['message']> {
  return { nodeId: params.nodeId, channel: params.channel, id: messageIdFor(runId, params.nodeId) }
}

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
      message: ({ context }, params: { nodeId: string; channel: Channel }) => rememberedMessage(context.runId, params),
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
  /** What the track filters of all states together let through (see \`hears\`). */
  private readonly heard: TrackTerms = { any: false, names: new Set<string>(), statuses: new Set<string>() }
  /** The first macrostep, when it does not depend on the run (see `planInitial`); computed on first use. */
  private plan: InitialPlan | null | undefined

  constructor(
    readonly machine: JourneyMachine,
    private readonly json: MachineJson,
    /** False computes every run's first macrostep with xstate (the tests compare the two). */
    private readonly planned = true,
  ) {
    const self = createActor(machine, { input: NO_RUN })
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
    for (const [key, state] of Object.entries(json.states)) {
      const terms = trackTerms(state.on?.track ?? [])
      this.trackFilters.set(key, trackFilter(terms))
      this.heard.any ||= terms.any
      for (const name of terms.names) this.heard.names.add(name)
      for (const status of terms.statuses) this.heard.statuses.add(status)
    }
  }

  /**
   * Whether a run in some state of this machine may take a track event of this name: false means
   * \`mayConsume\` refuses it in every state, whatever the run (the union of the states' filters; an
   * activity status is heard as \`<any channel>.<status>\`).
   */
  hears(name: string): boolean {
    const { any, names, statuses } = this.heard
    if (any || names.has(name)) return true
    // A channel's name has no dot: what follows the first is the status.
    const dot = name.indexOf('.')
    return dot > 0 && statuses.has(name.slice(dot + 1))
  }

  initial(input: RunContext): [JourneySnapshot, RawAction[]] {
    if (this.plan === undefined) this.plan = this.planned ? this.makePlan() : null
    const plan = this.plan
    if (plan !== null) {
      let context = input
      for (const p of plan.messages) context = { ...context, message: rememberedMessage(context.runId, p) }
      return [this.machine.resolveState({ value: plan.value, context }), plan.actions]
    }
    return this.xstateInitial(input)
  }

  private xstateInitial(input: RunContext): [JourneySnapshot, RawAction[]] {
    this.collected = []
    const next = this.machine.getInitialSnapshot(this.scope, input)
    return [next, this.collected]
  }

  /**
   * Most journeys start with steps that have no guards (trigger, message, into a wait): xstate's
   * first macrostep then ends in the same state with the same actions for every run, and only
   * `rememberMessage` writes the run's own values into its context. That macrostep was 17 % of
   * the engine thread at 50,000 new runs (22 µs a run, against 2 µs to resolve the state it ends
   * in). The actions are taken from xstate's own answer for a sample run; a first macrostep with a
   * guard, an unknown action or a final state is left to xstate every time.
   */
  private makePlan(): InitialPlan | null {
    const path = planInitial(this.json)
    if (path === null) return null
    const [snapshot, actions] = this.xstateInitial({ ...NO_RUN, runId: 'run_sample' })
    if (snapshot.status !== 'active' || snapshot.value !== path.value) return null
    return { value: path.value, messages: path.messages, actions: actions.map((a) => ({ type: a.type, params: a.params })) }
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

interface InitialPlan {
  /** The state the first macrostep ends in. */
  value: string
  /** `rememberMessage` params, in the order the macrostep applies them. */
  messages: { nodeId: string; channel: Channel }[]
  actions: RawAction[]
}

/** Actions that do not read the run: their params are the same for every run. */
const RUN_INDEPENDENT = new Set<JourneyAction['type']>(['enter', 'record', 'sendMessage', 'scheduleTimer', 'cancelTimer', 'enqueueWebhook'])

/**
 * The first macrostep's path when no step on it has a guard: from the initial state along single
 * unguarded `always` transitions to a state that waits. `rememberEvent` changes nothing there (the
 * event of a first macrostep is xstate's init event, not a `track`), `rememberMessage` is applied
 * per run; any other action that is not run-independent, a final state or a loop leaves it to xstate.
 */
export function planInitial(json: MachineJson): { value: string; messages: { nodeId: string; channel: Channel }[] } | null {
  const messages: { nodeId: string; channel: Channel }[] = []
  const seen = new Set<string>()
  const take = (actions: readonly JourneyAction[] | undefined): boolean => {
    for (const a of actions ?? []) {
      if (a.type === 'rememberMessage') messages.push(a.params)
      else if (a.type !== 'rememberEvent' && !RUN_INDEPENDENT.has(a.type)) return false
    }
    return true
  }
  let key = json.initial
  for (;;) {
    const state = json.states[key]
    if (state === undefined || state.type === 'final' || seen.has(key)) return null
    seen.add(key)
    if (!take(state.entry)) return null
    const always = state.always ?? []
    if (always.length === 0) return { value: key, messages }
    const [only] = always
    if (always.length > 1 || only === undefined || only.guard !== undefined || (state.exit ?? []).length > 0 || !take(only.actions)) return null
    key = only.target
  }
}

/** What a state's track transitions let through: event names, activity statuses, or anything (a guard only the machine can judge). */
interface TrackTerms {
  any: boolean
  names: Set<string>
  statuses: Set<string>
}

function trackTerms(transitions: TransitionJson[]): TrackTerms {
  const terms: TrackTerms = { any: false, names: new Set(), statuses: new Set() }
  for (const t of transitions) {
    if (t.guard?.type === 'eventMatches') terms.names.add(t.guard.params.event)
    else if (t.guard?.type === 'activityMatches') terms.statuses.add(t.guard.params.status)
    // Any other guard, or none: only the machine can tell.
    else terms.any = true
  }
  return terms
}

function trackFilter({ any, names, statuses }: TrackTerms): TrackFilter {
  if (any) return () => true
  if (names.size === 0 && statuses.size === 0) return () => false
  return (name, context) =>
    names.has(name) || (context.message !== null && name.startsWith(`${context.message.channel}.`) && statuses.has(name.slice(context.message.channel.length + 1)))
}
