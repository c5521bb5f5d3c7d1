import { z } from 'zod'
import { ISSUE_CODES, Journey, JourneyStats, JourneyVersion, ProviderView, UserJourneyView, WebhookDeliveryView, WebhookTestResult, WebhookView } from '@switchyard/schema'

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
  migrated: z.object({ moved: z.number().int(), exited: z.number().int(), kept: z.number().int() }).optional(),
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

export { ProviderView, WebhookDeliveryView, WebhookTestResult, WebhookView }
export type { ProviderInputRaw as ProviderInput } from '@switchyard/schema'

export const WebhookList = z.object({ webhooks: z.array(WebhookView) })
export const DeliveryList = z.object({ deliveries: z.array(WebhookDeliveryView) })
export const ProviderList = z.object({ providers: z.array(ProviderView) })

export const TrackAnswer = z.looseObject({ success: z.boolean() })
