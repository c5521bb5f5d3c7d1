import type { Context, Hono } from 'hono'
import { crashPoint } from '@switchyard/engine'
import { z } from 'zod'
import { BatchCall, IdentifyCall, MAX_BATCH_BYTES, MAX_EVENT_BYTES, TrackCall, type IngestedEvent } from '@switchyard/schema'
import { validate } from '../body'
import type { AppDeps } from '../deps'
import type { AcceptEvents } from '../integrations'
import { createProfileLimit } from '../profile-limit'
import { normaliseBatch, normaliseCall, plainBodyBytes, readIngestJson } from '../ingest'

const Success = z.object({ success: z.literal(true) })

/**
 * The Segment tracking API: answers only once the events are in the journal. Channel activity
 * (`/v1/activity`) is a receipt like the providers' and is mounted by the channels integration.
 */
export function mountIngest(app: Hono, deps: AppDeps, acceptEvents: AcceptEvents): void {
  const { engine, registry } = deps
  const read = (c: Context, limit: number, label: string) => readIngestJson(c, limit, label, deps.config.writeKey)
  const profiles = createProfileLimit(engine)
  const accept = async (events: IngestedEvent[]) => {
    const checked = await profiles.check(events)
    await acceptEvents(events).catch((error: unknown) => {
      checked.forget()
      throw error
    })
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

  doc('/v1/identify', 'Set traits of a user (Segment identify); later identifies merge, up to 64 KB of traits per user (else 400 profile.too_large).', IdentifyCall)
  app.post('/v1/identify', async (c) => {
    const raw = await read(c, MAX_EVENT_BYTES, '32 KB per event')
    return c.json(await accept([normaliseCall(raw, 'identify', engine.clock.now())]))
  })

  doc('/v1/batch', 'Record up to 500 KB of track and identify calls at once (Segment batch).', BatchCall)
  app.post('/v1/batch', async (c) => {
    const raw = await read(c, MAX_BATCH_BYTES, '500 KB per batch')
    const call = validate(BatchCall, raw, 'batch')
    return c.json(await accept(normaliseBatch(call.batch, engine.clock.now(), call.sentAt, plainBodyBytes(c))))
  })
}
