import { randomUUID } from 'node:crypto'
import { IncomingMessage } from 'node:http'
import type { Context } from 'hono'
import {
  BatchItem,
  IdentifyCall,
  MAX_EVENT_BYTES,
  TrackCall,
  storableTime,
  type IngestedEvent,
} from '@switchyard/schema'
import { checkBodyWriteKey } from './auth'
import { bodyEncoding, clientAborted, decodeBody, parseJsonText, readBody, validate } from './body'
import { ApiError } from './errors'

/**
 * The body of an ingestion request. Under @hono/node-server a body that declares its length
 * within the limit is read straight from Node's request: going through `c.req.raw.body` builds
 * a web Request, an AbortController and a ReadableStream per call, a tenth of the CPU of a
 * /v1/track request. Node delivers no more than the declared length, so the limit holds.
 * Anything else (no length, over the limit, another runtime) takes `readBody`, with its errors.
 * A compressed body is inflated after it is read, within the same limit; a plain one pays one
 * header read for that.
 */
export async function readIngestBody(c: Context, limit: number, label: string): Promise<string> {
  const env: unknown = c.env
  const incoming = env !== null && typeof env === 'object' && 'incoming' in env ? env.incoming : undefined
  const declared = Number(c.req.header('content-length') ?? Number.NaN)
  if (!(incoming instanceof IncomingMessage) || !(declared <= limit) || incoming.readableFlowing !== null || incoming.readableEnded) {
    return readBody(c, limit, label)
  }
  const encoding = bodyEncoding(c)
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
    incoming.once('end', () => resolve(Buffer.concat(chunks)))
    incoming.once('error', (error) => reject(clientAborted(error)))
  })
  return (encoding === null ? raw : await decodeBody(raw, encoding, limit, label)).toString('utf8')
}

/**
 * The body's size when the request says it and the body is not compressed, else NaN (then a
 * batch measures each item against the per-event limit).
 */
export function plainBodyBytes(c: Context): number {
  return c.req.header('content-encoding') === undefined ? Number(c.req.header('content-length') ?? Number.NaN) : Number.NaN
}

/** A `/v1` JSON body; a request without an Authorization header must carry `writeKey` in it. */
export async function readIngestJson(c: Context, limit: number, label: string, writeKey: string | null): Promise<unknown> {
  const raw = parseJsonText(await readIngestBody(c, limit, label))
  checkBodyWriteKey(c.req.raw, raw, writeKey)
  return raw
}

function toMs(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN
  return inDateRange(ms, field)
}

function inDateRange(ms: number, field: string): number {
  const stored = storableTime(ms)
  if (stored === null) throw new ApiError('event.invalid_timestamp', `“${field}” is not a date: use an ISO 8601 time such as 2026-01-05T09:00:00Z.`)
  return stored
}

/**
 * A Segment call as the journal stores it. When the client says when it sent the call, its clock
 * is assumed wrong by (sentAt - receivedAt), and the event time is corrected by as much.
 */
export function normaliseCall(raw: unknown, type: 'track' | 'identify', receivedAt: number, batchSentAt?: unknown): IngestedEvent {
  return type === 'track' ? trackEvent(validate(TrackCall, raw, 'event'), receivedAt, batchSentAt) : identifyEvent(validate(IdentifyCall, raw, 'event'), receivedAt, batchSentAt)
}

// Built as literals, not by spreading \`common\`: on Node 20 \`{ ...o, key }\` takes V8's slow path,
// about a microsecond an object, and these run for every event ingested.
function trackEvent(call: TrackCall, receivedAt: number, batchSentAt: unknown): IngestedEvent {
  const properties: Record<string, unknown> = call.properties ?? {}
  const c = common(call, receivedAt, batchSentAt)
  return { messageId: c.messageId, userId: c.userId, timestamp: c.timestamp, receivedAt, context: c.context, type: 'track', event: call.event, properties }
}

function identifyEvent(call: IdentifyCall, receivedAt: number, batchSentAt: unknown): IngestedEvent {
  const traits: Record<string, unknown> = call.traits ?? {}
  const c = common(call, receivedAt, batchSentAt)
  return { messageId: c.messageId, userId: c.userId, timestamp: c.timestamp, receivedAt, context: c.context, type: 'identify', traits }
}

function common(call: TrackCall | IdentifyCall, receivedAt: number, batchSentAt: unknown) {
  const userId = call.userId ?? call.anonymousId
  if (userId === undefined) throw new ApiError('event.missing_user', 'Every call needs a userId or an anonymousId.')
  const timestamp = toMs(call.timestamp ?? call.originalTimestamp, 'timestamp')
  const sentAt = toMs(call.sentAt ?? batchSentAt, 'sentAt')
  // The clock-skew correction can leave the range of a date even when both times are in it.
  const at = inDateRange(timestamp === null ? receivedAt : sentAt === null ? timestamp : receivedAt - (sentAt - timestamp), 'timestamp')
  return { messageId: call.messageId ?? randomUUID(), userId, timestamp: at, context: call.context }
}

/**
 * Every item of a batch is checked before any is stored: a bad item refuses the whole batch.
 * `bodyBytes` is the request's size: when the whole body is within the per-event limit no item
 * can exceed it, and measuring each item (a JSON.stringify apiece) is skipped.
 */
export function normaliseBatch(items: unknown[], receivedAt: number, sentAt: unknown, bodyBytes = Number.NaN): IngestedEvent[] {
  const measure = !(bodyBytes <= MAX_EVENT_BYTES)
  return items.map((item, index) => {
    try {
      if (measure && Buffer.byteLength(JSON.stringify(item) ?? '') > MAX_EVENT_BYTES) {
        throw new ApiError('payload.too_large', `The event is over 32 KB: the limit is 32 KB per event.`)
      }
      // One validation per item: the batch item schema is the track or identify call plus its
      // type. An item the fast check vouches for skips the schema; any other gets its answer.
      const typed = plainBatchItem(item) ?? validate(BatchItem, item, 'event')
      return typed.type === 'track' ? trackEvent(typed, receivedAt, sentAt) : identifyEvent(typed, receivedAt, sentAt)
    } catch (error) {
      if (error instanceof ApiError) throw new ApiError(error.code, `Batch item ${index}: ${error.message}`, { index, ...(error.details === undefined ? {} : { issues: error.details }) })
      throw error
    }
  })
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype && !Object.hasOwn(v, '__proto__')
const optionalObject = (v: unknown): boolean => v === undefined || isPlainObject(v)
const optionalTime = (v: unknown): boolean => v === undefined || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))
const plainText = (v: string): boolean => v.length >= 1 && v.length <= 512 && !v.includes('\u0000')
/** An id as the schema gives it (a string, or a finite number as text); `false` when the schema must judge. */
const plainId = (v: unknown): string | undefined | false =>
  v === undefined ? undefined : typeof v === 'string' ? (plainText(v) ? v : false) : typeof v === 'number' && Number.isFinite(v) ? String(v) : false

/**
 * The batch item the `BatchItem` schema would answer, for the items a client usually sends (JSON
 * objects with text or number ids, text or number times, object properties): the schema copies
 * every object it checks, which made it half of a batch's ingestion CPU. Answers null for
 * anything it does not vouch for, and the schema then decides, with its error. Only the fields
 * ingestion reads are set; the schema's test (`ingest.test.ts`) holds the two to the same answers.
 */
export function plainBatchItem(item: unknown): BatchItem | null {
  if (!isPlainObject(item)) return null
  const { type } = item
  if (type !== 'track' && type !== 'identify') return null
  const userId = plainId(item.userId)
  const anonymousId = plainId(item.anonymousId)
  if (userId === false || anonymousId === false) return null
  const { messageId, timestamp, sentAt, originalTimestamp, context, integrations } = item
  if (messageId !== undefined && (typeof messageId !== 'string' || !plainText(messageId))) return null
  if (!optionalTime(timestamp) || !optionalTime(sentAt) || !optionalTime(originalTimestamp)) return null
  if (!optionalObject(context) || !optionalObject(integrations)) return null
  // Literals: see trackEvent. The checks above narrowed what the casts say.
  const times = timestamp as string | number | undefined
  const sent = sentAt as string | number | undefined
  const original = originalTimestamp as string | number | undefined
  const ctx = context as Record<string, unknown> | undefined
  const integ = integrations as Record<string, unknown> | undefined
  if (type === 'identify') {
    const { traits } = item
    if (!optionalObject(traits)) return null
    return { type, userId, anonymousId, messageId, timestamp: times, sentAt: sent, originalTimestamp: original, context: ctx, integrations: integ, traits: traits as Record<string, unknown> | undefined }
  }
  const { event, properties } = item
  if (typeof event !== 'string' || !optionalObject(properties)) return null
  const name = event.trim()
  if (name.length < 1 || name.length > 200 || name.includes('\u0000')) return null
  return { type, userId, anonymousId, messageId, timestamp: times, sentAt: sent, originalTimestamp: original, context: ctx, integrations: integ, event: name, properties: properties as Record<string, unknown> | undefined }
}
