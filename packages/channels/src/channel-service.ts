import { randomUUID } from 'node:crypto'
import { costBoundedCache, type JoinedWrite, type StoreBackend } from '@switchyard/storage'
import {
  assertNever,
  fail,
  isStatusOf,
  ok,
  ProviderInput,
  type ActivityStatus,
  type Channel,
  type MessageJob,
  type ProviderTestResult,
  type ProviderView,
  type ChannelErrorCode,
  type Result,
  type MessageStats,
} from '@switchyard/schema'
import type { SecretBox } from '@switchyard/secrets'
import { type AddressGuard, createAddressGuard, createTransport } from '@switchyard/webhooks'
import { activityEventId, isReceiptStatus, normaliseActivity, statusFromName, type ChannelActivity } from './activity/activity'
import { silentLog, type Clock, type Log } from './clock'
import { errorMessage, type ChannelProvider } from './providers/channel-provider'
import { createHttpProvider, fetchTransport, type FetchLike } from './providers/http-provider'
import { createSandboxProvider } from './providers/sandbox-provider'
import { createSmtpProvider } from './providers/smtp-provider'
import { parseDsn } from './receipts/dsn'
import { createReceiptResolver, type ReceiptBatch } from './receipts/resolve-receipts'
import { parsePushReceipts } from './receipts/push'
import { parseSendgridEvents } from './receipts/sendgrid'
import { verifyPushSignature, verifySendgridSignature, verifyTwilioSignature } from './receipts/signatures'
import { parseTwilioStatus } from './receipts/twilio'
import { createTemplateRenderer, DEFAULT_RENDER_LIMITS, type RenderLimits } from './render/liquid'
import { renderMessage } from './render/render-message'
import { createSender, SANDBOX_PROVIDER_ID, type ResolvedProvider, type SendOutcome } from './send'
import type { SentMessage } from './store/message-store'
import { openChannelStores } from './store/open-stores'
import { toProviderView, type Provider } from './store/provider-store'
import type { PushReceiptRequest, SendgridReceiptRequest, TwilioReceiptRequest } from './receipts/requests'

export interface ChannelServiceDeps {
  /** The server's database (its SQLite file or a PostgreSQL pool); the service keeps to tables prefixed `channel_`. */
  backend: StoreBackend
  secretBox: SecretBox
  clock: Clock
  log?: Log
  /**
   * Every provider connection (HTTP and SMTP) asks it first and dials the address it checked.
   * Default: `createAddressGuard()` from `@switchyard/webhooks`, which refuses private, loopback
   * and metadata addresses; the server passes one built from ALLOW_PRIVATE_TARGETS.
   */
  guard?: AddressGuard
  /** Test seam: replaces the HTTP provider's connection, the guard included. */
  fetch?: FetchLike
  renderLimits?: Partial<RenderLimits>
  smtpTimeoutMs?: number
}


/** A `<channel>.<status>` event the app tracked about one of our messages. */
export interface TrackedActivity {
  messageId: string
  userId: string
  channel: Channel
  status: ActivityStatus
  at: number
}

export interface ChannelService {
  providers: {
    list(): Promise<ProviderView[]>
    get(id: string): Promise<Result<ProviderView, ChannelErrorCode>>
    create(input: unknown): Promise<Result<ProviderView, ChannelErrorCode>>
    /** Replaces a provider; secrets left out keep their stored values. */
    update(id: string, input: unknown): Promise<Result<ProviderView, ChannelErrorCode>>
    remove(id: string): Promise<Result<{ id: string }, ChannelErrorCode>>
  }
  /** Renders and sends an action node's message; at most one successful send per message id. */
  send(job: MessageJob): Promise<SendOutcome>
  /** A batch of them, with two writes for the whole batch (see `createSender`); outcomes in the jobs' order. */
  sendAll(jobs: readonly MessageJob[]): Promise<SendOutcome[]>
  /** The same, but the results' write is left to the caller's transaction (the relay's settlement). */
  sendBatch(jobs: readonly MessageJob[]): Promise<{ outcomes: SendOutcome[]; finish: JoinedWrite }>
  /** Sends a sample message through a provider to `to`; not recorded as a journey message. */
  test(providerId: string, to: string): Promise<Result<ProviderTestResult, ChannelErrorCode>>
  messages: {
    get(messageId: string): Promise<SentMessage | null>
    /** Our messages by id, in one read; ids we have no record of are absent. */
    getMany(messageIds: readonly string[]): Promise<Map<string, SentMessage>>
    list(filter?: { userId?: string; channel?: Channel; limit?: number }): Promise<SentMessage[]>
    /** For frequency caps: when the user was sent messages on the channel since `sinceMs`. */
    sentTimestamps(userId: string, channel: Channel, sinceMs: number): Promise<number[]>
    /** Retention: deletes up to `limit` finished messages created before `before`. */
    prune(before: number, limit: number): Promise<number>
    /** Delivery figures of a journey's message steps, per node id; a slow answer is reused for ten times its cost (at most 30 s). */
    figures(journeyId: string): Promise<Record<string, MessageStats>>
    /**
     * Activity the app reported as a tracked `<channel>.<status>` event: recorded on the message
     * when it is ours and went to that user on that channel, else ignored.
     */
    recordTracked(reports: readonly TrackedActivity[]): Promise<void>
  }
  receipts: {
    /** `POST /v1/activity`: validated, and cross-checked against the message when we sent it. */
    activity(body: unknown): Promise<Result<ChannelActivity, ChannelErrorCode>>
    sendgrid(providerId: string, req: SendgridReceiptRequest): Promise<Result<ReceiptBatch, ChannelErrorCode>>
    twilio(providerId: string, req: TwilioReceiptRequest): Promise<Result<ReceiptBatch, ChannelErrorCode>>
    push(providerId: string, req: PushReceiptRequest): Promise<Result<ReceiptBatch, ChannelErrorCode>>
    dsn(rawMessage: string): Promise<Result<ReceiptBatch, ChannelErrorCode>>
  }
  sandbox: {
    /** Makes up a receipt for a message we sent: the activity for the caller to ingest. */
    emit(messageId: string, status: string, at?: number): Promise<Result<ChannelActivity, ChannelErrorCode>>
  }
}

function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): { path: string; message: string }[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
}

const TEST_MESSAGES = {
  email: { subject: 'Switchyard test message', body: 'This is a test message from Switchyard.' },
  sms: { text: 'This is a test message from Switchyard.' },
  app_push: { title: 'Switchyard test', body: 'This is a test notification from Switchyard.' },
  web_push: { title: 'Switchyard test', body: 'This is a test notification from Switchyard.' },
  whatsapp: { text: 'This is a test message from Switchyard.' },
  rcs: { text: 'This is a test message from Switchyard.' },
} as const satisfies Record<Channel, Record<string, string>>

export async function createChannelService(deps: ChannelServiceDeps): Promise<ChannelService> {
  const { secretBox, clock } = deps
  const log = deps.log ?? silentLog
  const now = (): number => clock.now()
  const { providers: providerStore, messages } = await openChannelStores(deps.backend, secretBox, now)
  const renderer = createTemplateRenderer({ ...DEFAULT_RENDER_LIMITS, ...deps.renderLimits })
  // The canvas polls a journey's figures every 2 s per open tab, and they are a GROUP BY over the
  // journey's messages (0.8 s at a million on SQLite): a slow answer is reused for ten times its cost.
  const figures = costBoundedCache((journeyId) => messages.figures(journeyId), { now })
  const sandbox = createSandboxProvider()
  const guard = deps.guard ?? createAddressGuard()
  const httpTransport = deps.fetch === undefined ? createTransport({ guard }) : fetchTransport(deps.fetch)

  const adapterFor = (p: Provider): ChannelProvider => {
    switch (p.kind) {
      case 'smtp':
        return createSmtpProvider(p.config, deps.smtpTimeoutMs === undefined ? { guard } : { guard, timeoutMs: deps.smtpTimeoutMs })
      case 'http':
        return createHttpProvider(p.config, { renderer, transport: httpTransport })
      case 'sandbox':
        return sandbox
      default:
        return assertNever(p)
    }
  }

  /** job.providerId, else the channel's default, else the built-in sandbox. */
  const resolveProvider = async (job: MessageJob): Promise<ResolvedProvider> => {
    if (job.providerId !== null && job.providerId !== SANDBOX_PROVIDER_ID) {
      const p = await providerStore.get(job.providerId)
      if (p === null) return { ok: false, id: job.providerId, reason: `provider ${job.providerId} does not exist` }
      if (p.channel !== job.channel) return { ok: false, id: p.id, reason: `provider "${p.name}" sends ${p.channel}, not ${job.channel}` }
      return { ok: true, id: p.id, kind: p.kind, adapter: adapterFor(p) }
    }
    const p = job.providerId === null ? await providerStore.defaultFor(job.channel) : null
    if (p === null) return { ok: true, id: SANDBOX_PROVIDER_ID, kind: 'sandbox', adapter: sandbox }
    return { ok: true, id: p.id, kind: p.kind, adapter: adapterFor(p) }
  }

  const sendBatch = createSender({ messages, resolveProvider, renderer, log })
  const sendAll = async (jobs: readonly MessageJob[]) => {
    const { outcomes, results } = await sendBatch(jobs)
    await messages.finish(results)
    return outcomes
  }

  const resolveReceipts = createReceiptResolver(messages, log)

  /** Finds the provider of a receipt route and checks the signature when it has a receipt secret. */
  const verified = async (providerId: string, check: (secret: string) => boolean, what: string): Promise<Result<Provider, ChannelErrorCode>> => {
    const p = await providerStore.get(providerId)
    if (p === null) return fail('provider.not_found', `No channel provider ${providerId}.`)
    if (p.receiptSecret !== null && !check(p.receiptSecret)) {
      log('warn', 'receipt signature rejected', { providerId, format: what })
      return fail('receipt.signature', `The ${what} signature is missing or does not verify with the provider's receipt secret.`)
    }
    return ok(p)
  }

  const parseProvider = (input: unknown): Result<ProviderInput, ChannelErrorCode> => {
    const parsed = ProviderInput.safeParse(input)
    if (!parsed.success) return fail('provider.invalid', 'The provider is not valid.', { issues: describeIssues(parsed.error.issues) })
    return ok(parsed.data)
  }

  const needsSecret = (input: ProviderInput, previous: Provider | null): string | null => {
    if (input.kind === 'smtp' && input.config.auth !== undefined && input.config.auth.pass === undefined) {
      const kept = previous?.kind === 'smtp' && previous.config.auth?.pass !== undefined
      if (!kept) return 'SMTP auth needs a password.'
    }
    if (input.kind === 'http' && input.config.auth?.type === 'basic' && input.config.auth.password === undefined) {
      if (!(previous?.kind === 'http' && previous.config.auth?.type === 'basic' && previous.config.auth.password !== undefined)) return 'Basic auth needs a password.'
    }
    if (input.kind === 'http' && input.config.auth?.type === 'bearer' && input.config.auth.token === undefined) {
      if (!(previous?.kind === 'http' && previous.config.auth?.type === 'bearer' && previous.config.auth.token !== undefined)) return 'Bearer auth needs a token.'
    }
    return null
  }

  return {
    providers: {
      list: async () => (await providerStore.list()).map(toProviderView),
      async get(id) {
        const p = await providerStore.get(id)
        return p === null ? fail('provider.not_found', `No channel provider ${id}.`) : ok(toProviderView(p))
      },
      async create(input) {
        const parsed = parseProvider(input)
        if (!parsed.ok) return parsed
        const missing = needsSecret(parsed.value, null)
        if (missing !== null) return fail('provider.invalid', missing, { issues: [{ path: 'config.auth', message: missing }] })
        const p = await providerStore.create(parsed.value)
        log('info', 'channel provider created', { providerId: p.id, channel: p.channel, kind: p.kind })
        return ok(toProviderView(p))
      },
      async update(id, input) {
        const parsed = parseProvider(input)
        if (!parsed.ok) return parsed
        const previous = await providerStore.get(id)
        if (previous === null) return fail('provider.not_found', `No channel provider ${id}.`)
        const missing = needsSecret(parsed.value, previous)
        if (missing !== null) return fail('provider.invalid', missing, { issues: [{ path: 'config.auth', message: missing }] })
        const p = await providerStore.update(id, parsed.value)
        if (p === null) return fail('provider.not_found', `No channel provider ${id}.`)
        log('info', 'channel provider updated', { providerId: p.id, channel: p.channel, kind: p.kind })
        return ok(toProviderView(p))
      },
      async remove(id) {
        if (!(await providerStore.remove(id))) return fail('provider.not_found', `No channel provider ${id}.`)
        log('info', 'channel provider removed', { providerId: id })
        return ok({ id })
      },
    },

    send: async (job) => (await sendAll([job]))[0] as SendOutcome,
    sendAll,
    async sendBatch(jobs) {
      const { outcomes, results } = await sendBatch(jobs)
      return { outcomes, finish: messages.finishing(results) }
    },

    async test(providerId, to) {
      const p = providerId === SANDBOX_PROVIDER_ID ? null : await providerStore.get(providerId)
      if (p === null && providerId !== SANDBOX_PROVIDER_ID) return fail('provider.not_found', `No channel provider ${providerId}.`)
      const channel: Channel = p?.channel ?? 'email'
      const job: MessageJob = {
        kind: 'message',
        id: `test_${randomUUID()}`,
        channel,
        providerId,
        message: { ...TEST_MESSAGES[channel] },
        context: {
          workspace: 'test',
          journey: { id: 'test', name: 'Provider test', version: 0 },
          runId: 'test',
          nodeId: 'test',
          user: { id: 'test', traits: { email: to, phone: to, pushToken: to } },
          event: null,
          message: null,
        },
        createdAt: now(),
      }
      const started = now()
      const rendered = await renderMessage(job, renderer)
      if (!rendered.ok) return ok({ ok: false, providerMessageId: null, reason: rendered.reason, durationMs: 0 })
      const adapter = p === null ? sandbox : adapterFor(p)
      let result
      try {
        result = await adapter.send(rendered.rendered, job)
      } catch (err) {
        result = { ok: false as const, retryable: true, reason: `provider error: ${errorMessage(err)}` }
      }
      const durationMs = now() - started
      log('info', 'channel provider tested', { providerId, ok: result.ok })
      return ok(
        result.ok
          ? { ok: true, providerMessageId: result.providerMessageId, reason: null, durationMs }
          : { ok: false, providerMessageId: null, reason: result.reason, durationMs },
      )
    },

    messages: {
      get: (id) => messages.get(id),
      getMany: (ids) => messages.getMany(ids),
      list: (filter = {}) => messages.list(filter),
      sentTimestamps: (userId, channel, sinceMs) => messages.sentTimestamps(userId, channel, sinceMs),
      prune: (before, limit) => messages.prune(before, limit),
      figures,
      async recordTracked(reports) {
        if (reports.length === 0) return
        // One read and one write for an ingest batch, whatever its size.
        const sent = await messages.getMany(reports.map((r) => r.messageId))
        await messages.recordActivity(
          reports.flatMap((r) => {
            const msg = sent.get(r.messageId)
            return msg !== undefined && msg.userId === r.userId && msg.channel === r.channel ? [{ id: msg.id, status: r.status, at: r.at }] : []
          }),
        )
      },
    },

    receipts: {
      async activity(body) {
        const a = normaliseActivity(body, now())
        if (!a.ok) return a
        const msg = await messages.get(a.value.messageId)
        // Activity for a message we did not send is accepted: /v1/activity is authenticated, and
        // messages may predate this table. One we did send must agree with it.
        if (msg !== null) {
          // Refused before anything is recorded: another user's report must not use up the
          // (message, status) key that the real recipient's activity needs.
          if (msg.userId !== a.value.userId) return fail('activity.user_mismatch', `Message ${msg.id} was sent to another user: report activity with the userId the message was sent to.`, { field: 'userId' })
          if (msg.channel !== a.value.channel) return fail('activity.channel_mismatch', `Message ${msg.id} was sent on ${msg.channel}, not ${a.value.channel}: report it on ${msg.channel}.`, { field: 'channel' })
          await messages.recordActivity([{ id: msg.id, status: a.value.status, at: a.value.timestamp }])
          return ok({ ...a.value, providerMessageId: msg.providerMessageId })
        }
        return a
      },
      async sendgrid(providerId, req) {
        const p = await verified(providerId, (key) => verifySendgridSignature(key, req.signature ?? '', req.timestamp ?? '', req.body), 'SendGrid event webhook')
        if (!p.ok) return p
        const parsed = parseSendgridEvents(req.body, now())
        return parsed.ok ? resolveReceipts(p.value.id, parsed.value) : parsed
      },
      async twilio(providerId, req) {
        const p = await verified(providerId, (token) => verifyTwilioSignature(token, req.url, req.params, req.signature ?? ''), 'Twilio')
        if (!p.ok) return p
        const parsed = parseTwilioStatus(req.params, now())
        return parsed.ok ? resolveReceipts(p.value.id, [parsed.value]) : parsed
      },
      async push(providerId, req) {
        const p = await verified(providerId, (secret) => verifyPushSignature(secret, req.body, req.signature ?? ''), 'push receipt')
        if (!p.ok) return p
        const parsed = parsePushReceipts(req.body, now())
        return parsed.ok ? resolveReceipts(p.value.id, parsed.value) : parsed
      },
      async dsn(raw) {
        const parsed = parseDsn(raw, now())
        return parsed.ok ? resolveReceipts(null, [parsed.value], 'email') : parsed
      },
    },

    sandbox: {
      async emit(messageId, statusName, at) {
        const msg = await messages.get(messageId)
        if (msg === null) return fail('message.not_found', `No message ${messageId} was sent.`)
        const status = statusFromName(statusName)
        if (status === null || !isReceiptStatus(status) || !isStatusOf(msg.channel, status)) {
          return fail('activity.invalid', `Status "${statusName}" is not reported for ${msg.channel}.`, { field: 'status' })
        }
        const timestamp = at ?? now()
        await messages.recordActivity([{ id: msg.id, status, at: timestamp }])
        return ok({
          userId: msg.userId,
          channel: msg.channel,
          status,
          messageId: msg.id,
          timestamp,
          eventId: activityEventId(msg.id, status),
          providerMessageId: msg.providerMessageId,
          detail: { provider: 'sandbox' },
        })
      },
    },
  }
}
