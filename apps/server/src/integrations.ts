import type { Hono } from 'hono'
import type { HistoryItem, IngestedEvent, Journey, JourneyEventType, NodeStats } from '@switchyard/schema'
import type { EffectRenderer } from '@switchyard/engine'
import type { OutboxHandlers } from '@switchyard/engine'
import type { RouteRegistry } from './openapi'

/**
 * The optional parts wired around the engine (webhooks, channels). Each mounts its own routes,
 * takes the outbox jobs of its kind, and hears what the core routes report.
 */
export interface Integration {
  name: string
  mount?(app: Hono, registry: RouteRegistry, context: MountContext): void
  /** Ids a webhook node may name; publishing reports any other as `webhook.unknown`. */
  webhookIds?(): Promise<ReadonlySet<string>>
  /** Ids an action may name as its provider; publishing reports any other as `provider.unknown`. */
  providerIds?(): Promise<ReadonlySet<string>>
  /** Retention: deletes this integration's own finished rows created before `before`, in small batches; answers how many. */
  prune?(before: number): Promise<number>
  /** Figures this integration keeps about a journey's nodes (a message step's deliveries), merged into its stats. */
  nodeStats?(journeyId: string): Promise<Record<string, Partial<NodeStats>>>
  /** Puts back into history items, before they are answered, what this integration keeps apart (a sent message's rendered fields). */
  completeHistory?(items: readonly HistoryItem[]): Promise<void>
  /** Items waiting in this integration's own queue, for /metrics. */
  pending?(): Promise<number>
  outbox?: OutboxHandlers
  /** Renders this integration's outbox jobs as they would leave, without sending anything (simulations). */
  render?: Partial<EffectRenderer>
  /** A journey was created, changed, published, paused, resumed or deleted. */
  journeyChanged?(type: JourneyEventType, journey: Journey): Promise<void>
  /** Events were stored in the journal; the ingest call answers once every integration has heard them. */
  eventsAccepted?(events: readonly IngestedEvent[]): Promise<void>
  start?(): void
  stop?(): Promise<void>
}

export type Integrations = Integration[]

/** History items as the API answers them: each integration puts back what it keeps apart. */
export async function completeHistory(integrations: Integrations, items: readonly HistoryItem[]): Promise<void> {
  for (const i of integrations) await i.completeHistory?.(items)
}

/** Stores events in the journal (resolving once they are durable) and reports them to the integrations. */
export type AcceptEvents = (events: IngestedEvent[]) => Promise<void>

/** What an integration's `/v1` routes share with the core ingestion routes. */
export interface MountContext {
  /** Stores events as the core ingestion routes do, and tells every integration. */
  accept: AcceptEvents
  writeKey: string | null
}
