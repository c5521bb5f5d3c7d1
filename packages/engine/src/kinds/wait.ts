import { holds, storedEvent, waitingDetail, type EngineKind } from './kind'

export const waitForEventEngine: EngineKind<'waitForEvent'> = {
  guards: {
    eventMatches: ({ context, event }, params) =>
      event.type === 'track' && event.name === params.event && holds(params.where, storedEvent(event), context.user),
    activityMatches: ({ context, event }, params) =>
      event.type === 'track' &&
      context.message !== null &&
      event.name === `${context.message.channel}.${params.status}` &&
      event.properties.messageId === context.message.id &&
      holds(params.where, storedEvent(event), context.user),
    timerIs: ({ event }, params) => event.type === 'timer' && event.nodeId === params.nodeId,
  },
  detail: ({ kind, node, run }) =>
    kind === 'entered' ? waitingDetail(node.data.activity ? `activity: ${node.data.activity.status}` : `event: ${node.data.event ?? ''}`, run) : undefined,
}
