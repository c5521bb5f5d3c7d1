import { z } from 'zod'

/** Limits of the Segment tracking API, which Switchyard keeps. */
export const MAX_EVENT_BYTES = 32 * 1024
export const MAX_BATCH_BYTES = 500 * 1024

/** Ids, names and event names are stored as text columns, which hold no NUL character on PostgreSQL: refused on every backend. */
export const noNul = (s: string) => !s.includes('\u0000')
export const NO_NUL = 'must not contain a NUL character (\\u0000)'
const Id = z.union([z.string().min(1).max(512).refine(noNul, NO_NUL), z.number().finite()]).transform((v) => String(v))
const Timestamp = z.union([z.string(), z.number(), z.date()]).optional()
const JsonObject = z.record(z.string(), z.unknown())

const Common = {
  userId: Id.optional(),
  anonymousId: Id.optional(),
  messageId: z.string().min(1).max(512).refine(noNul, NO_NUL).optional(),
  timestamp: Timestamp,
  sentAt: Timestamp,
  originalTimestamp: Timestamp,
  context: JsonObject.optional(),
  integrations: JsonObject.optional(),
}

export const TrackCall = z.looseObject({
  ...Common,
  type: z.literal('track').optional(),
  event: z.string().trim().min(1, 'A track call needs an event name.').max(200).refine(noNul, NO_NUL),
  properties: JsonObject.optional(),
})
export type TrackCall = z.infer<typeof TrackCall>

export const IdentifyCall = z.looseObject({
  ...Common,
  type: z.literal('identify').optional(),
  traits: JsonObject.optional(),
})
export type IdentifyCall = z.infer<typeof IdentifyCall>

export const BatchItem = z.discriminatedUnion('type', [
  TrackCall.extend({ type: z.literal('track') }),
  IdentifyCall.extend({ type: z.literal('identify') }),
])
export type BatchItem = z.infer<typeof BatchItem>

export const BatchCall = z.looseObject({
  batch: z.array(z.unknown()).min(1, 'The batch is empty.'),
  sentAt: Timestamp,
  context: JsonObject.optional(),
})
export type BatchCall = z.infer<typeof BatchCall>

/** Channel activity reported directly: becomes the track event `<channel>.<status>`. */
export const ActivityCall = z.object({
  userId: Id,
  channel: z.string(),
  status: z.string(),
  messageId: z.string().min(1),
  timestamp: Timestamp,
})
export type ActivityCall = z.infer<typeof ActivityCall>

/**
 * An event as the engine stores and applies it, after ingestion normalised it. `timestamp` is
 * when it happened (skew-corrected), `receivedAt` when the server accepted it, both ms epoch.
 */
export interface IngestedEvent {
  messageId: string
  type: 'track' | 'identify'
  userId: string
  event?: string
  properties?: Record<string, unknown>
  traits?: Record<string, unknown>
  context?: Record<string, unknown>
  timestamp: number
  receivedAt: number
}
