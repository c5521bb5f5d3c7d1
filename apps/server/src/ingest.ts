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

function trackEvent(call: TrackCall, receivedAt: number, batchSentAt: unknown): IngestedEvent {
  const properties: Record<string, unknown> = call.properties ?? {}
  return { ...common(call, receivedAt, batchSentAt), type: 'track', event: call.event, properties }
}

function identifyEvent(call: IdentifyCall, receivedAt: number, batchSentAt: unknown): IngestedEvent {
  const traits: Record<string, unknown> = call.traits ?? {}
  return { ...common(call, receivedAt, batchSentAt), type: 'identify', traits }
}

function common(call: TrackCall | IdentifyCall, receivedAt: number, batchSentAt: unknown) {
  const userId = call.userId ?? call.anonymousId
  if (userId === undefined) throw new ApiError('event.missing_user', 'Every call needs a userId or an anonymousId.')
  const timestamp = toMs(call.timestamp ?? call.originalTimestamp, 'timestamp')
  const sentAt = toMs(call.sentAt ?? batchSentAt, 'sentAt')
  // The clock-skew correction can leave the range of a date even when both times are in it.
  const at = inDateRange(timestamp === null ? receivedAt : sentAt === null ? timestamp : receivedAt - (sentAt - timestamp), 'timestamp')
  return { messageId: call.messageId ?? randomUUID(), userId, timestamp: at, receivedAt, context: call.context }
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
      // One validation per item: the batch item schema is the track or identify call plus its type.
      const typed = validate(BatchItem, item, 'event')
      return typed.type === 'track' ? trackEvent(typed, receivedAt, sentAt) : identifyEvent(typed, receivedAt, sentAt)
    } catch (error) {
      if (error instanceof ApiError) throw new ApiError(error.code, `Batch item ${index}: ${error.message}`, { index, ...(error.details === undefined ? {} : { issues: error.details }) })
      throw error
    }
  })
}
