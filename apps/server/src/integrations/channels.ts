import type { Context, Hono } from 'hono'
import { z } from 'zod'
import { sentEvent, type Engine } from '@switchyard/engine'
import { ActivityCall, CHANNEL_STATUSES, dict, isJsonObject, parseActivityEventName, MAX_EVENT_BYTES, ProviderInput, ProviderTestInput, ProviderTestResult, ProviderView, type IngestedEvent, type MessageJob, type Result } from '@switchyard/schema'
import {
  activityToTrack,
  createTemplateRenderer,
  renderMessage,
  sendRetryAt,
  SANDBOX_PROVIDER_ID,
  type ChannelActivity,
  type ChannelService,
  type ReceiptBatch,
} from '@switchyard/channels'
import type { MessageEventPayload } from '@switchyard/webhooks'
import type { MessageEventType, MessageStats } from '@switchyard/schema'
import { jsonBody, readBody, validate } from '../body'
import type { HandledBatch } from '@switchyard/engine'
import type { JoinedWrite } from '@switchyard/storage'
import { checkReceiptWriteKey } from '../auth'
import type { AcceptEvents, Integration, MountContext } from '../integrations'
import { readIngestJson } from '../ingest'
import type { RouteRegistry } from '../openapi'
import { gateBatch } from './delivery-rules'
import { unwrap } from './results'

const MB = 1024 * 1024
const SandboxEmit = z.object({ messageId: z.string().min(1), status: z.string().min(1) })
const MessagesQuery = z.object({ userId: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).default(50) })

export interface ChannelsOptions {
  /** Message events for account-level webhooks (delivered, from receipts), a batch in one call. */
  onMessageEvents?: (events: readonly [MessageEventType, MessageEventPayload][]) => Promise<void>
  /** The same for a relay batch's sends (sent, failed): the write, to join the batch's settlement; null when nothing receives them. */
  messageEventsWrite?: (events: readonly [MessageEventType, MessageEventPayload][]) => Promise<JoinedWrite | null>
}

/** The journal event of an activity: the same for every receipt source. */
export function activityEvent(a: ChannelActivity, receivedAt: number): IngestedEvent {
  const call = activityToTrack(a)
  return { messageId: call.messageId, type: 'track', userId: call.userId, event: call.event, properties: call.properties, timestamp: a.timestamp, receivedAt }
}

/**
 * Channel providers: sends action nodes' messages from the outbox under the journey's delivery
 * rules, and turns provider receipts into `<channel>.<status>` events.
 */
export function channelsIntegration(service: ChannelService, engine: Engine, options: ChannelsOptions = {}): Integration {
  const payload = (job: MessageJob, content: Record<string, unknown>, error?: string): MessageEventPayload => ({
    messageId: job.id,
    channel: job.channel,
    userId: job.context.user.id,
    journey: job.context.journey,
    nodeId: job.context.nodeId,
    runId: job.context.runId,
    content,
    ...(error === undefined ? {} : { error }),
  })
  /**
   * The one path of every receipt source (/v1/activity, provider callbacks, DSN, sandbox): the
   * same journal events, reported to every integration, and the same account events.
   */
  const ingestActivities = async (accept: AcceptEvents, activities: readonly ChannelActivity[]) => {
    if (activities.length === 0) return
    const now = engine.clock.now()
    await accept(activities.map((a) => activityEvent(a, now)))
    if (!options.onMessageEvents) return
    const sentMessages = await service.messages.getMany(activities.flatMap((a) => (a.status === 'delivered' ? [a.messageId] : [])))
    const delivered = activities.flatMap((a) => {
      const sent = a.status === 'delivered' ? sentMessages.get(a.messageId) : undefined
      return sent?.journeyId && sent.runId && sent.nodeId ? [{ a, sent, journeyId: sent.journeyId, runId: sent.runId, nodeId: sent.nodeId }] : []
    })
    if (delivered.length === 0) return
    // The run knows the version it is on; one read for the whole receipt batch.
    const versions = await engine.runVersions(delivered.map((d) => d.runId))
    await options.onMessageEvents(
      delivered.map(({ a, sent, journeyId, runId, nodeId }): [MessageEventType, MessageEventPayload] => [
        'message.delivered',
        {
          messageId: a.messageId,
          channel: a.channel,
          userId: a.userId,
          journey: { id: journeyId, name: engine.journeyName(journeyId), version: versions.get(runId) ?? 0 },
          nodeId,
          runId,
          content: sent.content ?? {},
        },
      ]),
    )
  }
  const simulationRenderer = createTemplateRenderer()
  /** A provider with a receipt secret has its receipts' signatures verified by the service. */
  const signed = async (providerId: string) => {
    const p = await service.providers.get(providerId)
    return p.ok && p.value.hasReceiptSecret
  }

  /**
   * A relay batch of messages: the delivery rules per job (read from memory, the sends a cap
   * counts read only when one applies), one `sendBatch` for the jobs that may leave (the attempts
   * written before the calls), then the results and the batch's account events handed to the
   * relay, which writes them in the batch's settlement.
   */
  async function sendAll(jobs: readonly MessageJob[]): Promise<HandledBatch> {
    const now = engine.clock.now()
    const { results, leaving } = await gateBatch(engine, jobs, (job, since) => service.messages.sentTimestamps(job.context.user.id, job.channel, since))
    const { outcomes: outs, finish } = await service.sendBatch(leaving.map((l) => l.job))
    const accountEvents: [MessageEventType, MessageEventPayload][] = []
    leaving.forEach(({ i, job }, k) => {
      const out = outs[k]
      if (out === undefined) return
      if (out.ok) {
        accountEvents.push(['message.sent', payload(job, out.rendered)])
        results[i] = {
          // The fields are the message row's content: the history keeps the recipient, and the API puts them back (completeHistory).
          outcome: { kind: 'message', messageId: job.id, detail: { channel: job.channel, status: 'sent', providerId: out.providerId, rendered: { channel: out.rendered.channel, to: out.rendered.to } } },
          events: [sentEvent(job, now, { providerId: out.providerId, providerMessageId: out.providerMessageId })],
        }
        return
      }
      const retryAt = out.retryable ? sendRetryAt(out.attempts, now) : null
      if (retryAt !== null) {
        results[i] = { retryAt }
        return
      }
      // Channels that report failures get the event, so a wait on `failed` can take the user on.
      const failed: IngestedEvent[] = CHANNEL_STATUSES[job.channel].some((st) => st === 'failed')
        ? [{ messageId: `failed:${job.id}`, type: 'track', userId: job.context.user.id, event: `${job.channel}.failed`, properties: { messageId: job.id, reason: out.reason }, timestamp: now, receivedAt: now }]
        : []
      accountEvents.push(['message.failed', payload(job, out.rendered ?? {}, out.reason)])
      results[i] = { outcome: { kind: 'message', messageId: job.id, detail: { channel: job.channel, status: 'failed', reason: out.reason, attempts: out.attempts, ...(out.rendered ? { rendered: out.rendered } : {}) } }, events: failed }
    })
    const accountWrite = accountEvents.length > 0 ? await options.messageEventsWrite?.(accountEvents) : null
    return { results, joined: accountWrite ? [finish, accountWrite] : [finish] }
  }

  /**
   * A provider receipt route: the write key, unless the provider signs its receipts (the DSN has
   * no provider and always needs the key); then the body, parsed and resolved by the service.
   */
  const receiptRoute =
    (accept: AcceptEvents, writeKey: string | null, providerRoute: boolean, limit: number, resolve: (c: Context, body: string) => Promise<Result<ReceiptBatch>>) =>
    async (c: Context) => {
      checkReceiptWriteKey(c.req.raw, writeKey, providerRoute && (await signed(c.req.param('providerId') ?? '')))
      const batch = unwrap(await resolve(c, await readBody(c, limit, `${limit >= MB ? `${limit / MB} MB` : `${limit / 1024} KB`} per receipt`)))
      await ingestActivities(accept, batch.activities)
      return c.json({ success: true, accepted: batch.activities.length, ignored: batch.ignored.length })
    }

  return {
    name: 'channels',
    outbox: { message: sendAll },
    render: {
      // What the provider would be given, as a send records it: recipient and fields after Liquid, checked for the channel.
      message: async (job) => {
        const out = await renderMessage(job, simulationRenderer)
        return out.ok ? { ok: true, rendered: out.rendered } : out
      },
    },
    providerIds: async () => new Set([SANDBOX_PROVIDER_ID, ...(await service.providers.list()).map((p) => p.id)]),
    // A sent message's history row leaves out its fields (its message row holds them): they are put back here, one read per page.
    async completeHistory(items) {
      const sent: { id: string; detail: Record<string, unknown>; rendered: Record<string, unknown> }[] = []
      for (const { kind, messageId: id, detail } of items) {
        const rendered = detail?.status === 'sent' ? detail.rendered : undefined
        if (kind === 'message' && id !== null && detail && isJsonObject(rendered) && !('fields' in rendered)) sent.push({ id, detail, rendered })
      }
      if (sent.length === 0) return
      const messages = await service.messages.getMany(sent.map((s) => s.id))
      for (const { id, detail, rendered } of sent) {
        const content = messages.get(id)?.content
        if (content) detail.rendered = { ...rendered, fields: content }
      }
    },
    nodeStats: async (journeyId) => {
      const out = dict<{ messages: MessageStats }>()
      for (const [nodeId, messages] of Object.entries(await service.messages.figures(journeyId))) out[nodeId] = { messages }
      return out
    },
    // Apps report opens and clicks as tracked `<channel>.<status>` events as often as through
    // /v1/activity: both reach the message's figures, so the canvas counts what the journey reacts to.
    async eventsAccepted(events) {
      await service.messages.recordTracked(
        events.flatMap((e) => {
          const named = e.type === 'track' && e.event !== undefined ? parseActivityEventName(e.event) : null
          const messageId = e.properties?.messageId
          return named && typeof messageId === 'string' ? [{ messageId, userId: e.userId, channel: named.channel, status: named.status, at: e.timestamp }] : []
        }),
      )
    },
    async prune(before) {
      let deleted = 0
      for (;;) {
        const n = await service.messages.prune(before, 1000)
        deleted += n
        if (n < 1000) return deleted
        // Small transactions with the event loop free between them, as the engine's retention does.
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
    },
    mount(app: Hono, registry: RouteRegistry, { accept, writeKey }: MountContext) {
      const tag = 'Channels'
      const doc = registry.add.bind(registry)
      doc({ method: 'get', path: '/api/channels', summary: 'Configured channel providers.', tag, auth: 'admin', responses: { 200: { description: 'Providers.', schema: z.object({ providers: z.array(ProviderView) }) } } })
      app.get('/api/channels', async (c) => c.json({ providers: await service.providers.list() }))
      doc({ method: 'post', path: '/api/channels', summary: 'Configure a provider (SMTP, HTTP or sandbox); credentials are encrypted.', tag, auth: 'admin', body: ProviderInput, responses: { 201: { description: 'Created.', schema: ProviderView } } })
      app.post('/api/channels', async (c) => c.json(unwrap(await service.providers.create(await jsonBody(c, z.unknown(), 256 * 1024))), 201))
      doc({ method: 'get', path: '/api/channels/messages', summary: 'Messages sent, newest first.', tag, auth: 'admin', query: MessagesQuery, responses: { 200: { description: 'Messages.' } } })
      app.get('/api/channels/messages', async (c) => {
        const q = validate(MessagesQuery, c.req.query(), 'query')
        return c.json({ messages: await service.messages.list({ ...(q.userId ? { userId: q.userId } : {}), limit: q.limit }) })
      })
      doc({ method: 'post', path: '/api/channels/sandbox/emit', summary: 'Make up a receipt (delivered, opened, clicked...) for a message the sandbox sent.', tag, auth: 'admin', body: SandboxEmit, responses: { 200: { description: 'The activity, ingested.' } } })
      app.post('/api/channels/sandbox/emit', async (c) => {
        const body = await jsonBody(c, SandboxEmit)
        const activity = unwrap(await service.sandbox.emit(body.messageId, body.status, engine.clock.now()))
        await ingestActivities(accept, [activity])
        return c.json({ activity })
      })
      doc({ method: 'get', path: '/api/channels/:id', summary: 'One provider.', tag, auth: 'admin', responses: { 200: { description: 'The provider.', schema: ProviderView } } })
      app.get('/api/channels/:id', async (c) => c.json(unwrap(await service.providers.get(c.req.param('id')))))
      doc({ method: 'put', path: '/api/channels/:id', summary: 'Replace a provider; secrets left out are kept.', tag, auth: 'admin', body: ProviderInput, responses: { 200: { description: 'Saved.', schema: ProviderView } } })
      app.put('/api/channels/:id', async (c) => c.json(unwrap(await service.providers.update(c.req.param('id'), await jsonBody(c, z.unknown(), 256 * 1024)))))
      doc({ method: 'delete', path: '/api/channels/:id', summary: 'Delete a provider.', tag, auth: 'admin', responses: { 204: { description: 'Deleted.' } } })
      app.delete('/api/channels/:id', async (c) => {
        unwrap(await service.providers.remove(c.req.param('id')))
        return c.body(null, 204)
      })
      doc({ method: 'post', path: '/api/channels/:id/test', summary: 'Send a sample message to an address.', tag, auth: 'admin', body: ProviderTestInput, responses: { 200: { description: 'The outcome.', schema: ProviderTestResult } } })
      app.post('/api/channels/:id/test', async (c) => {
        const body = await jsonBody(c, ProviderTestInput)
        return c.json(unwrap(await service.test(c.req.param('id'), body.to)))
      })

      const rtag = 'Receipts'
      const receiptAuth = 'the write key (HTTP Basic in the callback URL works with every provider), unless the provider has a receipt secret and the request is signed with it'
      doc({ method: 'post', path: '/v1/activity', summary: 'Report channel activity (delivered, opened, clicked...) of a message; refused when the message was sent to another user or on another channel.', tag: rtag, auth: 'writeKey', body: ActivityCall, responses: { 200: { description: 'Stored durably.', schema: z.object({ success: z.literal(true) }) } } })
      app.post('/v1/activity', async (c) => {
        const activity = unwrap(await service.receipts.activity(await readIngestJson(c, MAX_EVENT_BYTES, '32 KB per event', writeKey)))
        await ingestActivities(accept, [activity])
        return c.json({ success: true as const })
      })
      doc({ method: 'post', path: '/v1/receipts/sendgrid/:providerId', summary: `SendGrid event webhook; needs ${receiptAuth} (ECDSA).`, tag: rtag, auth: 'writeKey', responses: { 200: { description: 'Receipts ingested.' } } })
      app.post(
        '/v1/receipts/sendgrid/:providerId',
        receiptRoute(accept, writeKey, true, MB, (c, body) =>
          service.receipts.sendgrid(c.req.param('providerId') ?? '', { body, ...opt('signature', c.req.header('x-twilio-email-event-webhook-signature')), ...opt('timestamp', c.req.header('x-twilio-email-event-webhook-timestamp')) }),
        ),
      )
      doc({ method: 'post', path: '/v1/receipts/push/:providerId', summary: `Push gateway delivery receipts; needs ${receiptAuth} (HMAC).`, tag: rtag, auth: 'writeKey', responses: { 200: { description: 'Receipts ingested.' } } })
      app.post('/v1/receipts/push/:providerId', receiptRoute(accept, writeKey, true, MB, (c, body) => service.receipts.push(c.req.param('providerId') ?? '', { body, ...opt('signature', c.req.header('x-switchyard-signature')) })))
      doc({ method: 'post', path: '/v1/receipts/twilio/:providerId', summary: `Twilio-style SMS/WhatsApp status callback; needs ${receiptAuth} (X-Twilio-Signature).`, tag: rtag, auth: 'writeKey', responses: { 200: { description: 'Receipts ingested.' } } })
      app.post(
        '/v1/receipts/twilio/:providerId',
        receiptRoute(accept, writeKey, true, 256 * 1024, (c, body) =>
          service.receipts.twilio(c.req.param('providerId') ?? '', { url: c.req.url, params: Object.fromEntries(new URLSearchParams(body).entries()), ...opt('signature', c.req.header('x-twilio-signature')) }),
        ),
      )
      doc({ method: 'post', path: '/v1/receipts/dsn', summary: 'A delivery status notification (RFC 3464 bounce) as raw MIME; always needs the write key (a DSN is not signed).', tag: rtag, auth: 'writeKey', responses: { 200: { description: 'Bounces ingested.' } } })
      app.post('/v1/receipts/dsn', receiptRoute(accept, writeKey, false, MB, (_c, body) => service.receipts.dsn(body)))
    },
  }
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  const out: { [P in K]?: string } = {}
  if (value !== undefined) out[key] = value
  return out
}
