import type { Context, Hono } from 'hono'
import { crashPoint } from '@switchyard/engine'
import { z } from 'zod'
import {
  ActivityCall,
  BatchCall,
  IdentifyCall,
  MAX_BATCH_BYTES,
  MAX_EVENT_BYTES,
  TrackCall,
  isStatusOf,
  Channel,
  type IngestedEvent,
} from '@switchyard/schema'
import { activityEventId } from '@switchyard/channels'
import { checkBodyWriteKey } from '../auth'
import { parseJsonText, validate } from '../body'
import type { AppDeps } from '../deps'
import { ApiError } from '../errors'
import { normaliseBatch, normaliseCall, readIngestBody } from '../ingest'

const Success = z.object({ success: z.literal(true) })

/** The Segment tracking API: answers only once the events are in the journal. */
export function mountIngest(app: Hono, deps: AppDeps): void {
  const { engine, registry } = deps
  const read = async (c: Context, limit: number, label: string) => {
    const raw = parseJsonText(await readIngestBody(c, limit, label))
    checkBodyWriteKey(c.req.raw, raw, deps.config.writeKey)
    return raw
  }
  const accept = async (events: IngestedEvent[]) => {
    await engine.ingest(events)
    for (const i of deps.integrations) i.eventsAccepted?.(events)
    crashPoint('after-commit-before-ack')
    return { success: true as const }
  }
  const doc = (path: string, summary: string, body: z.ZodType) =>
    registry.add({ method: 'post', path, summary, tag: 'Ingestion', auth: 'writeKey', body, responses: { 200: { description: 'Stored durably.', schema: Success } } })

  doc('/v1/track', 'Record an event a user performed (Segment track).', TrackCall)
  app.post('/v1/track', async (c) => {
    const raw = await read(c, MAX_EVENT_BYTES, '32 KB per event')
    return c.json(await accept([normaliseCall(raw, 'track', engine.clock.now())]))
  })

  doc('/v1/identify', 'Set traits of a user (Segment identify); later identifies merge.', IdentifyCall)
  app.post('/v1/identify', async (c) => {
    const raw = await read(c, MAX_EVENT_BYTES, '32 KB per event')
    return c.json(await accept([normaliseCall(raw, 'identify', engine.clock.now())]))
  })

  doc('/v1/batch', 'Record up to 500 KB of track and identify calls at once (Segment batch).', BatchCall)
  app.post('/v1/batch', async (c) => {
    const raw = await read(c, MAX_BATCH_BYTES, '500 KB per batch')
    const call = validate(BatchCall, raw, 'batch')
    return c.json(await accept(normaliseBatch(call.batch, engine.clock.now(), call.sentAt, Number(c.req.header('content-length') ?? Number.NaN))))
  })

  doc('/v1/activity', 'Report channel activity (delivered, opened, clicked...) for a message the engine sent.', ActivityCall)
  app.post('/v1/activity', async (c) => {
    const raw = await read(c, MAX_EVENT_BYTES, '32 KB per event')
    const call = validate(ActivityCall, raw, 'activity')
    const channel = Channel.safeParse(call.channel)
    if (!channel.success) throw new ApiError(400, 'activity.unknown_channel', `“${call.channel}” is not a channel: use one of ${Channel.options.join(', ')}.`)
    if (!isStatusOf(channel.data, call.status)) {
      throw new ApiError(400, 'activity.unknown_status', `${channel.data} has no status “${call.status}”.`)
    }
    const now = engine.clock.now()
    const event = normaliseCall(
      {
        userId: call.userId,
        event: `${channel.data}.${call.status}`,
        properties: { messageId: call.messageId },
        timestamp: call.timestamp,
        // The same status of the same message is one event, whichever path reports it.
        messageId: activityEventId(call.messageId, call.status),
      },
      'track',
      now,
    )
    return c.json(await accept([event]))
  })
}
