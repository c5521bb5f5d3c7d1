import { z } from 'zod'
import type { DraftGraph, JourneySettings } from '@switchyard/schema'
import { request } from './client'
import {
  DeliveryList,
  IssuesAnswer,
  JourneyDetail,
  JourneyList,
  JourneyStats,
  ProviderList,
  PublishAnswer,
  TrackAnswer,
  UserJourneyView,
  UserList,
  Versions,
  WebhookList,
  WebhookView,
  type ProviderInput,
} from './schemas'
import { BacktestAnswer, Journey, PublishPreview, SimulationAnswer, WebhookTestResult, type MigratePolicy, type SimulateRequest, type WebhookInput } from '@switchyard/schema'

const Empty = z.unknown()
const UserProfile = z.object({ userId: z.string(), traits: z.record(z.string(), z.unknown()) })

/** What the webhook form sends: the schema's input, its defaults left to the server. */
export type WebhookInputBody = z.input<typeof WebhookInput>
const enc = encodeURIComponent

/** Every call the canvas makes, one line each; answers parsed at this edge. */
export const api = {
  listJourneys: () => request('/api/journeys', JourneyList).then((r) => r.journeys),
  createJourney: (body: { name: string; graph?: DraftGraph; settings?: JourneySettings }) =>
    request('/api/journeys', Journey, { method: 'POST', body }),
  duplicateJourney: (id: string) => request(`/api/journeys/${enc(id)}/duplicate`, Journey, { method: 'POST' }),
  getJourney: (id: string) => request(`/api/journeys/${enc(id)}`, JourneyDetail),
  saveJourney: (id: string, body: { name?: string; graph?: DraftGraph; settings?: JourneySettings }, signal?: AbortSignal) =>
    request(`/api/journeys/${enc(id)}`, JourneyDetail, signal ? { method: 'PUT', body, signal } : { method: 'PUT', body }),
  deleteJourney: (id: string, exitUsers = false) =>
    request(`/api/journeys/${enc(id)}${exitUsers ? '?exitUsers=true' : ''}`, Empty, { method: 'DELETE' }),
  publish: (id: string, migrate?: z.input<typeof MigratePolicy>) =>
    request(`/api/journeys/${enc(id)}/publish`, PublishAnswer, migrate ? { method: 'POST', body: { migrate } } : { method: 'POST' }),
  publishPreview: (id: string, migrate: z.input<typeof MigratePolicy>) =>
    request(`/api/journeys/${enc(id)}/publish/preview`, PublishPreview, { method: 'POST', body: { migrate } }),
  /** Runs the draft (or the graph given) on the server's virtual clock: nothing live is touched. */
  simulate: (id: string, body: z.input<typeof SimulateRequest>) => request(`/api/journeys/${enc(id)}/simulate`, SimulationAnswer, { method: 'POST', body }),
  backtest: (id: string, body: { graph?: DraftGraph; settings?: JourneySettings; from: string; to: string }) =>
    request(`/api/journeys/${enc(id)}/backtest`, BacktestAnswer, { method: 'POST', body }),
  pause: (id: string) => request(`/api/journeys/${enc(id)}/pause`, Journey, { method: 'POST' }),
  resume: (id: string) => request(`/api/journeys/${enc(id)}/resume`, Journey, { method: 'POST' }),
  versions: (id: string) => request(`/api/journeys/${enc(id)}/versions`, Versions).then((r) => r.versions),
  validate: (graph: DraftGraph, settings?: JourneySettings) =>
    request('/api/validate', IssuesAnswer, { method: 'POST', body: { graph, settings } }).then((r) => r.issues),
  stats: (id: string, version?: number) =>
    request(`/api/journeys/${enc(id)}/stats${version ? `?version=${version}` : ''}`, JourneyStats),
  users: (id: string, prefix: string, limit = 20) =>
    request(`/api/journeys/${enc(id)}/users?prefix=${enc(prefix)}&limit=${limit}`, UserList).then((r) => r.users),
  /** The newest `limit` runs of a user (the server answers at most 100); `nextCursor` says whether there are older ones. */
  userProfile: (userId: string) => request(`/api/users/${enc(userId)}`, UserProfile),
  user: (id: string, userId: string, limit: number) => request(`/api/journeys/${enc(id)}/users/${enc(userId)}?limit=${limit}`, UserJourneyView),

  listWebhooks: () => request('/api/webhooks', WebhookList).then((r) => r.webhooks),
  createWebhook: (body: WebhookInputBody) => request('/api/webhooks', WebhookView, { method: 'POST', body }),
  updateWebhook: (id: string, body: WebhookInputBody) => request(`/api/webhooks/${enc(id)}`, WebhookView, { method: 'PUT', body }),
  deleteWebhook: (id: string) => request(`/api/webhooks/${enc(id)}`, Empty, { method: 'DELETE' }),
  testWebhook: (id: string) => request(`/api/webhooks/${enc(id)}/test`, WebhookTestResult, { method: 'POST' }),
  deliveries: (id: string) => request(`/api/webhooks/${enc(id)}/deliveries`, DeliveryList).then((r) => r.deliveries),

  listProviders: () => request('/api/channels', ProviderList).then((r) => r.providers),
  createProvider: (body: ProviderInput) =>
    request('/api/channels', Empty, { method: 'POST', body }),
  deleteProvider: (id: string) => request(`/api/channels/${enc(id)}`, Empty, { method: 'DELETE' }),

  track: (body: { userId: string; event: string; properties?: Record<string, unknown> }) =>
    request('/v1/track', TrackAnswer, { method: 'POST', body }),
  identify: (body: { userId: string; traits: Record<string, unknown> }) => request('/v1/identify', TrackAnswer, { method: 'POST', body }),
}
