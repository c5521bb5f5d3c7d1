import { z } from 'zod'
import { ISSUE_CODES, Journey, JourneyStats, JourneyVersion, UserJourneyView } from '@switchyard/schema'

/**
 * Shapes of API answers the schema package does not describe (yet). Parsed here, at the edge, so
 * the rest of the canvas trusts its types. Lenient where the server may add fields.
 */
export const Issue = z.object({
  code: z.string(),
  nodeId: z.string().nullish(),
  edgeId: z.string().nullish(),
  message: z.string(),
  field: z.string().nullish(),
})
export type Issue = z.infer<typeof Issue>

export const KNOWN_ISSUE_CODES: readonly string[] = ISSUE_CODES

export const JourneyDetail = Journey.extend({ issues: z.array(Issue).default([]) })
export type JourneyDetail = z.infer<typeof JourneyDetail>

export const JourneyList = z.object({ journeys: z.array(Journey) })

export const PublishAnswer = z.object({
  version: z.number().int(),
  activeUsersOnOlderVersions: z.number().int().default(0),
})
export type PublishAnswer = z.infer<typeof PublishAnswer>

export const IssuesAnswer = z.object({ issues: z.array(Issue) })

export const Versions = z.object({ versions: z.array(JourneyVersion) })

export const UserSummary = z.object({
  userId: z.string(),
  runs: z.number().int().default(0),
  status: z.string().nullish(),
  currentNodeId: z.string().nullish(),
  lastActivityAt: z.string().nullish(),
})
export type UserSummary = z.infer<typeof UserSummary>
export const UserList = z.object({ users: z.array(UserSummary) })

export { JourneyStats, UserJourneyView }

export const WEBHOOK_TEST_STATUSES = ['untested', 'passing', 'failing'] as const
export const WebhookView = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  encoding: z.enum(['json', 'form']).default('json'),
  auth: z.object({ type: z.literal('basic'), username: z.string(), hasPassword: z.boolean().default(false) }).nullish(),
  headers: z.record(z.string(), z.string()).nullish(),
  query: z.record(z.string(), z.string()).nullish(),
  timeoutMs: z.number().nullish(),
  retry: z.object({ maxAttempts: z.number(), initialDelayMs: z.number(), maxDelayMs: z.number() }).nullish(),
  hasSigningSecret: z.boolean().default(false),
  testStatus: z.enum(WEBHOOK_TEST_STATUSES).catch('untested').default('untested'),
  state: z.string().default('active'),
})
export type WebhookView = z.infer<typeof WebhookView>
export const WebhookList = z.object({ webhooks: z.array(WebhookView) })

export interface WebhookInput {
  name: string
  url: string
  encoding: 'json' | 'form'
  auth?: { type: 'basic'; username: string; password?: string } | null
  headers?: Record<string, string>
  query?: Record<string, string>
  timeoutMs?: number
  retry?: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number }
  signingSecret?: string
}

export const WebhookTest = z.object({ ok: z.boolean(), status: z.number().nullish(), durationMs: z.number().nullish(), error: z.string().nullish() })
export type WebhookTest = z.infer<typeof WebhookTest>

export const Delivery = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  status: z.union([z.string(), z.number()]).nullish(),
  attempts: z.unknown().optional(),
  createdAt: z.string().nullish(),
})
export const DeliveryList = z.object({ deliveries: z.array(Delivery) })

export const Provider = z.looseObject({
  id: z.string(),
  name: z.string(),
  channel: z.string(),
  kind: z.string(),
  config: z.record(z.string(), z.unknown()).nullish(),
})
export type Provider = z.infer<typeof Provider>
export const ProviderList = z.object({ providers: z.array(Provider) })

export const TrackAnswer = z.looseObject({ success: z.boolean() })
