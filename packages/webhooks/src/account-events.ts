import {
  type Channel,
  JOURNEY_EVENT_TYPES,
  type JourneyEventType,
  MESSAGE_EVENT_TYPES,
  type MessageEventType,
  type TrackEventType,
} from '@switchyard/schema'

/** A journey changed: what WebEngage's journey webhooks report (seed 004). */
export interface JourneyEventPayload {
  journey: {
    id: string
    name: string
    status: string
    version: number | null
    createdAt: string
    updatedAt: string
    tags?: string[]
  }
  /** Who did it (an admin's email or id), when known. */
  actor?: string | null
}

/** A track event, forwarded as WebEngage's events webhook forwards it (seed 004). */
export interface TrackEventPayload {
  messageId: string
  userId: string
  anonymousId?: string | null
  event: string
  properties: Record<string, unknown>
  context?: Record<string, unknown>
  /** When it happened, ms epoch. */
  timestamp: number
}

/** A message's fate, as CleverTap's post-action webhook reports it (seed 000). */
export interface MessageEventPayload {
  messageId: string
  channel: Channel
  userId: string
  /** Other identities of the user (email, phone), for `all_identities`. */
  identities?: string[]
  journey: { id: string; name: string; version: number }
  nodeId: string
  runId: string
  /** The rendered message fields (subject, title, body, text...). */
  content: Record<string, unknown>
  /** Why it failed, for `message.failed`. */
  error?: string
}

/** `emitAccountEvent`'s arguments: each event type with the payload it takes. */
export type AccountEventArgs =
  | [type: JourneyEventType, payload: JourneyEventPayload]
  | [type: MessageEventType, payload: MessageEventPayload]
  | [type: TrackEventType, payload: TrackEventPayload]

function isJourneyEvent(args: AccountEventArgs): args is [JourneyEventType, JourneyEventPayload] {
  return JOURNEY_EVENT_TYPES.some((t) => t === args[0])
}

function isMessageEvent(args: AccountEventArgs): args is [MessageEventType, MessageEventPayload] {
  return MESSAGE_EVENT_TYPES.some((t) => t === args[0])
}

/** The body every subscribed endpoint receives, built once when the event is emitted. */
export function accountEventBody(args: AccountEventArgs, workspace: string, now: number): Record<string, unknown> {
  if (isJourneyEvent(args)) return journeyEventBody(args[0], args[1], workspace, now)
  if (isMessageEvent(args)) return messageEventBody(args[0], args[1], now)
  return trackEventBody(args[1], workspace)
}

/** Does a webhook's subscription list take this event? `track:*` takes every track event. */
export function subscribes(events: readonly string[], type: string): boolean {
  return events.includes(type) || (type.startsWith('track:') && events.includes('track:*'))
}

/** WebEngage's time format: `2017-03-06T11:00:52+0000`. */
export function webengageTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+0000`
}

export function journeyEventBody(type: JourneyEventType, payload: JourneyEventPayload, workspace: string, now: number): Record<string, unknown> {
  const time = webengageTime(now)
  const { journey } = payload
  return {
    category: 'account',
    resource: 'Journey',
    version: 1,
    event_name: type.replace('.', '_'),
    event_time: time,
    license_code: workspace,
    user_id: payload.actor ?? null,
    event_data: {
      id: journey.id,
      name: journey.name,
      status: journey.status.toUpperCase(),
      version: journey.version,
      creationTime: webengageTime(Date.parse(journey.createdAt) || now),
      updateTime: webengageTime(Date.parse(journey.updatedAt) || now),
      tags: journey.tags ?? [],
      actionBy: payload.actor ?? null,
      actionTime: time,
    },
  }
}

export function trackEventBody(payload: TrackEventPayload, workspace: string): Record<string, unknown> {
  return {
    event_name: payload.event,
    event_time: webengageTime(payload.timestamp),
    license_code: workspace,
    category: 'application',
    user_id: payload.userId,
    anonymous_id: payload.anonymousId ?? null,
    event_data: payload.properties,
    system_data: { message_id: payload.messageId, context: payload.context ?? {} },
  }
}

export function messageEventBody(type: MessageEventType, payload: MessageEventPayload, now: number): Record<string, unknown> {
  return {
    targetId: payload.journey.id,
    event: type,
    event_time: webengageTime(now),
    profiles: [
      {
        identity: payload.userId,
        all_identities: [...new Set([...(payload.identities ?? []), payload.userId])],
        payload: {
          ...payload.content,
          kvs: {
            channel: payload.channel,
            message_id: payload.messageId,
            status: type.slice('message.'.length),
            journey_id: payload.journey.id,
            journey_name: payload.journey.name,
            journey_version: payload.journey.version,
            node_id: payload.nodeId,
            run_id: payload.runId,
            ...(payload.error === undefined ? {} : { error: payload.error }),
          },
        },
      },
    ],
  }
}
