// What a run's steps read from a batch's inputs: an event as the machine sees it, a delay's end, a delivery's context.
import type { MachineEvent } from '@switchyard/compiler'
import { parseActivityEventName, readPath, storableTime, type DeliveryContext } from '@switchyard/schema'
import type { JourneyCatalog, LoadedVersion } from './catalog'
import type { JournalEntry, RunContext, RunRecord } from './records'
import type { UserState } from './store'

export type TrackEvent = Extract<MachineEvent, { type: 'track' }>

/** The machine's view of a journal entry that is a track call. */
export function trackEvent(e: JournalEntry): TrackEvent {
  return { type: 'track', name: e.event ?? '', properties: e.properties ?? {}, messageId: e.messageId, timestamp: new Date(e.timestamp).toISOString() }
}

/**
 * `delay.until`: a date in the event or the profile plus an offset, in whole milliseconds (times
 * are stored as integers). A missing date, or one no Date can hold (1e300, a year past 275760),
 * ends the delay at once: the value is the user's, and it must not stop the engine.
 */
export function untilTime(until: { path: string; offsetMs: number }, run: RunRecord, user: UserState, now: number): number {
  const value = readPath({ event: run.context.event, user: { id: user.userId, traits: user.traits } }, until.path)
  const base = typeof value === 'number' ? (value < 1e11 ? value * 1000 : value) : typeof value === 'string' ? Date.parse(value) : Number.NaN
  return storableTime(base + until.offsetMs) ?? now
}

export function deliveryContext(run: RunRecord, loaded: LoadedVersion, user: UserState, nodeId: string, o: { workspace: string; catalog: JourneyCatalog }): DeliveryContext {
  const event = run.context.event
  const message = run.context.message
  const activity = event ? parseActivityEventName(event.name) : null
  const status = activity && message && event?.properties.messageId === message.id ? activity.status : null
  return {
    workspace: o.workspace,
    journey: { id: run.journeyId, name: o.catalog.journey(run.journeyId)?.name ?? '', version: loaded.version },
    runId: run.runId,
    nodeId,
    user: { id: user.userId, traits: user.traits },
    event: event ? { ...event } : null,
    message: message ? { id: message.id, channel: message.channel, status } : null,
  }
}

/**
 * A stored run context with the user and the journey's fixed values put back. Written keys first
 * and the stored context spread after them, then set again: on Node 20 `{ ...context, user, fixed }`
 * adds keys to a spread copy, V8's slow path at about a microsecond a key.
 */
export function stepContext(stored: RunRecord['context'], user: RunContext['user'], fixed: RunContext['fixed']): RunContext {
  const context: RunContext = { user, fixed, ...stored }
  context.user = user
  context.fixed = fixed
  return context
}
