import { noNul } from './events'
import { z } from 'zod'
import { Channel } from './channels'
import { HEADER_NAME, HeaderValue } from './http-header'

/**
 * Channel providers as `/api/channels` accepts and answers them. Secrets (SMTP password, HTTP
 * password or token, header values, receipt secret) are write-only: they are optional on update,
 * where leaving one out keeps the stored value, and a view only says whether one is set.
 */
export const PROVIDER_KINDS = ['smtp', 'http', 'sandbox'] as const
export const ProviderKind = z.enum(PROVIDER_KINDS)
export type ProviderKind = z.infer<typeof ProviderKind>

const Secret = z.string().min(1).max(4096)

export const SmtpConfig = z.object({
  host: z.string().trim().min(1, 'Give the SMTP host.').max(255),
  port: z.number().int().min(1).max(65_535).default(587),
  /** true: TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when offered. */
  secure: z.boolean().default(false),
  auth: z.object({ user: z.string().min(1).max(512), pass: Secret.optional() }).optional(),
  from: z.string().trim().min(3, 'Give the sender address, e.g. "Shop <news@shop.example>".').max(512),
})
export type SmtpConfig = z.infer<typeof SmtpConfig>
export type SmtpConfigInput = z.input<typeof SmtpConfig>

export const HttpAuth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('basic'), username: z.string().min(1).max(512), password: Secret.optional() }),
  z.object({ type: z.literal('bearer'), token: HeaderValue('The bearer token', 4096).min(1).optional() }),
])
export type HttpAuth = z.infer<typeof HttpAuth>

// A regex, not `new URL`: the schema compiles without DOM or Node types. The sender parses again.
const HTTP_URL = /^https?:\/\/[^\s/?#@]+(?::\d+)?(?:[/?#]\S*)?$/i
function isHttpUrl(value: string): boolean {
  return HTTP_URL.test(value)
}

export const HTTP_METHODS = ['POST', 'PUT', 'PATCH'] as const
export const HttpHeaderName = z.string().regex(HEADER_NAME, 'Not a valid header name.')

export const HttpConfig = z.object({
  url: z.string().trim().max(2048).refine(isHttpUrl, 'Give an http:// or https:// URL.'),
  method: z.enum(HTTP_METHODS).default('POST'),
  auth: HttpAuth.optional(),
  /** Header values are treated as secrets (API keys often travel in headers). */
  headers: z.record(HttpHeaderName, HeaderValue('A header value', 8192)).optional(),
  /** A Liquid template for the request body; `Content-Type` defaults to application/json. */
  body: z.string().min(1, 'Give the request body template.').max(65_536),
  /** Where the provider's message id is: a dot path into its JSON answer (`sid`, `messages.0.id`) or `header:X-Message-Id`. */
  messageIdPath: z.string().trim().min(1).max(256).optional(),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
})
export type HttpConfig = z.infer<typeof HttpConfig>
export type HttpConfigInput = z.input<typeof HttpConfig>

export const SandboxConfig = z.object({}).default({})
export type SandboxConfig = z.infer<typeof SandboxConfig>

const ProviderBase = {
  name: z.string().trim().min(1, 'Give the provider a name.').max(200).refine(noNul, 'A provider name must not contain a NUL character (\\u0000).'),
  channel: Channel,
  /** The channel's default provider: action nodes without a providerId send through it. */
  default: z.boolean().optional(),
  /**
   * Verifies this provider's receipts: the SendGrid event-webhook verification key (base64 public
   * key), the Twilio auth token, or the push gateway's HMAC secret; null clears it.
   */
  receiptSecret: Secret.nullable().optional(),
}

export const ProviderInput = z
  .discriminatedUnion('kind', [
    z.object({ ...ProviderBase, kind: z.literal('smtp'), config: SmtpConfig }),
    z.object({ ...ProviderBase, kind: z.literal('http'), config: HttpConfig }),
    z.object({ ...ProviderBase, kind: z.literal('sandbox'), config: SandboxConfig }),
  ])
  .superRefine((p, ctx) => {
    if (p.kind === 'smtp' && p.channel !== 'email') {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: 'An SMTP provider can only send email.' })
    }
  })
export type ProviderInput = z.infer<typeof ProviderInput>
export type ProviderInputRaw = z.input<typeof ProviderInput>

export const SmtpConfigView = z.object({
  host: z.string(),
  port: z.number().int(),
  secure: z.boolean(),
  from: z.string(),
  auth: z.object({ user: z.string(), hasPassword: z.boolean() }).nullable(),
})
export const HttpAuthView = z.discriminatedUnion('type', [
  z.object({ type: z.literal('basic'), username: z.string(), hasPassword: z.boolean() }),
  z.object({ type: z.literal('bearer'), hasToken: z.boolean() }),
])
export const HttpConfigView = z.object({
  url: z.string(),
  method: z.enum(HTTP_METHODS),
  auth: HttpAuthView.nullable(),
  /** Names only: header values may hold keys. */
  headerNames: z.array(z.string()),
  body: z.string(),
  messageIdPath: z.string().nullable(),
  timeoutMs: z.number().int(),
})

const ViewBase = {
  id: z.string(),
  name: z.string(),
  channel: Channel,
  default: z.boolean(),
  hasReceiptSecret: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
}

/** What the API answers for a provider: never a password, token or header value. */
export const ProviderView = z.discriminatedUnion('kind', [
  z.object({ ...ViewBase, kind: z.literal('smtp'), config: SmtpConfigView }),
  z.object({ ...ViewBase, kind: z.literal('http'), config: HttpConfigView }),
  z.object({ ...ViewBase, kind: z.literal('sandbox'), config: z.object({}) }),
])
export type ProviderView = z.infer<typeof ProviderView>

/** `POST /api/channels/:id/test`: where to send a test message (an address, phone number or token). */
export const ProviderTestInput = z.object({ to: z.string().trim().min(1, 'Give an address to send the test to.').max(512) })
export type ProviderTestInput = z.infer<typeof ProviderTestInput>

export const ProviderTestResult = z.object({
  ok: z.boolean(),
  providerMessageId: z.string().nullable(),
  reason: z.string().nullable(),
  durationMs: z.number(),
})
export type ProviderTestResult = z.infer<typeof ProviderTestResult>
