import { assign, setup } from 'xstate'
import { evaluateCondition, type Channel, type Condition } from '@switchyard/schema'
import type { MachineEvent, MachineJson } from '@switchyard/compiler'
import { messageIdFor } from './ids'
import type { RunContext, StoredEvent } from './records'

export function storedEvent(e: Extract<MachineEvent, { type: 'track' }>): StoredEvent {
  return { name: e.name, properties: e.properties, messageId: e.messageId, timestamp: e.timestamp }
}

function holds(where: Condition | undefined, event: StoredEvent | null, user: RunContext['user']): boolean {
  return where === undefined || evaluateCondition(where, { event, user })
}

const noop = () => {}

/**
 * The implementations the compiled configs name. Side-effect actions are left empty: the engine
 * reads them from `transition()`'s result and turns them into rows. Guards and assigns run inside
 * the pure transition.
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
  guards: {
    eventMatches: ({ context, event }, params: { event: string; where?: Condition }) =>
      event.type === 'track' && event.name === params.event && holds(params.where, storedEvent(event), context.user),
    activityMatches: ({ context, event }, params: { status: string; where?: Condition }) =>
      event.type === 'track' &&
      context.message !== null &&
      event.name === `${context.message.channel}.${params.status}` &&
      event.properties.messageId === context.message.id &&
      holds(params.where, storedEvent(event), context.user),
    timerIs: ({ event }, params: { nodeId: string }) => event.type === 'timer' && event.nodeId === params.nodeId,
    conditionHolds: ({ context }, params: { where: Condition }) => holds(params.where, context.event, context.user),
  },
})

export function createJourneyMachine(json: MachineJson) {
  return journeySetup.createMachine({ ...json, context: ({ input }) => input })
}

export type JourneyMachine = ReturnType<typeof createJourneyMachine>
