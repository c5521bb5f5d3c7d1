import type { Hono } from 'hono'
import type { RouteRegistry } from './openapi'

/**
 * The optional parts wired around the engine (webhooks, channels). Each mounts its own routes
 * and answers what the core routes ask of it.
 */
export interface Integration {
  name: string
  mount?(app: Hono, registry: RouteRegistry): void
  /** Ids a webhook node may name; publishing reports any other as `webhook.unknown`. */
  webhookIds?(): ReadonlySet<string>
  /** Items waiting in this integration's own queue, for /metrics. */
  pending?(): number
}

export type Integrations = Integration[]
