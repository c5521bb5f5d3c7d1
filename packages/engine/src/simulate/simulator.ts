import type { Channel, DraftGraph, IngestedEvent, JourneySettings, MessageJob, NodeReferences, ValidationIssue, WebhookJob } from '@switchyard/schema'
import { Engine } from '../engine'
import type { SqliteEngineStore } from '../sqlite/store'
import { openMemoryStore } from './memory-store'
import { VirtualClock, deterministicIds } from './virtual-clock'

/** A rendering of a side effect, without sending it: the message a provider would get, the request a receiver would. */
export type RenderOutcome = { ok: true; rendered: unknown } | { ok: false; reason: string }

/** How effects are rendered: the server passes the same renderers its dispatchers use. */
export interface EffectRenderer {
  message(job: MessageJob): Promise<RenderOutcome>
  webhook(job: WebhookJob): Promise<RenderOutcome>
}

export interface CapturedEffect {
  kind: 'message' | 'webhook'
  userId: string
  nodeId: string
  at: number
  rendered: unknown
  error?: string
}

export interface SimulatedJourney {
  id: string
  name: string
  graph: DraftGraph
  settings: JourneySettings
}

export interface SimulatorOptions {
  journey: SimulatedJourney
  references: NodeReferences
  renderer: EffectRenderer
  start: number
  workspace?: string
}

const BATCH = 1000

/** The provider name effects are recorded under in a simulated run's history. */
export const SIMULATION_PROVIDER = 'simulation'

/**
 * The engine itself, on a private in-memory store and a virtual clock: events go through the
 * journal, `processPending` and `fireDueTimers` exactly as live, and the clock jumps from one
 * event to the next timer due. Outbox rows are rendered and captured instead of sent, and the
 * provider's acceptance (`<channel>.sent`) goes back into the journal as a dispatcher's does.
 */
export class Simulator {
  readonly effects: CapturedEffect[] = []
  /** The message each user was sent last, per channel and overall: what `activity` refers to. */
  private readonly lastMessage = new Map<string, { id: string; channel: Channel }>()
  private readonly lastByChannel = new Map<string, string>()

  private constructor(
    readonly engine: Engine,
    readonly store: SqliteEngineStore,
    readonly clock: VirtualClock,
    readonly journeyId: string,
    private readonly renderer: EffectRenderer,
  ) {}

  /** Publishes the journey into a fresh in-memory engine; an invalid graph answers its issues, as publishing would. */
  static async open(o: SimulatorOptions): Promise<{ ok: true; simulator: Simulator } | { ok: false; issues: ValidationIssue[] }> {
    const clock = new VirtualClock(o.start)
    const store = openMemoryStore(o.start)
    const engine = await Engine.open({ store, clock, workspace: o.workspace ?? 'default', newId: deterministicIds() })
    const j = o.journey
    await store.insertJourney({ id: j.id, name: j.name, status: 'draft', graph: j.graph, settings: j.settings, version: null, publishedDraftHash: null, createdAt: o.start, updatedAt: o.start })
    const published = await engine.publish(j.id, o.references)
    if (published === null || !published.ok) {
      await engine.close()
      return { ok: false, issues: published !== null && 'issues' in published ? published.issues : [] }
    }
    return { ok: true, simulator: new Simulator(engine, store, clock, j.id, o.renderer) }
  }

  async close(): Promise<void> {
    await this.engine.close()
  }

  /** The id and channel of the message the journey sent this user last (on `channel` when given). */
  lastMessageOf(userId: string, channel?: Channel): { id: string; channel: Channel } | null {
    if (channel === undefined) return this.lastMessage.get(userId) ?? null
    const id = this.lastByChannel.get(`${channel}\u0000${userId}`)
    return id === undefined ? null : { id, channel }
  }

  /**
   * Applies events that happen at `at`: timers due before then fire first, at their own times,
   * then the events go into the journal and through the engine, with everything they cause.
   */
  async applyAt(at: number, events: (() => IngestedEvent | null)[]): Promise<void> {
    await this.fireTimersUntil(at, false)
    this.clock.advanceTo(at)
    // One at a time, as live: each event is built, applied, and followed by the timers due by
    // now, before the next is built. An activity names the message the user was sent last, which
    // an event just before it at the same instant may have changed; a timer due at this very
    // instant fires after the first event of the instant, as a live runner's next pass fires it.
    for (const make of events) {
      const e = make()
      if (e === null) continue
      await this.engine.ingest([e])
      await this.settle()
      await this.fireTimersUntil(at, true)
    }
  }

  /** Fires every timer due by `until` (inclusive), each at its due time. */
  async finish(until: number): Promise<void> {
    await this.fireTimersUntil(until, true)
    this.clock.advanceTo(until)
  }

  private async fireTimersUntil(limit: number, inclusive: boolean): Promise<void> {
    for (;;) {
      const due = await this.engine.nextTimerDue()
      if (due === null || due > limit || (!inclusive && due === limit)) return
      this.clock.advanceTo(due)
      await this.engine.fireDueTimers()
      await this.settle()
    }
  }

  /**
   * Applies the journal and hands the outbox to the renderer until neither has anything left. A
   * pass that dispatched nothing ingested nothing, so unless it applied a full batch (more may
   * wait) the journal is done.
   */
  private async settle(): Promise<void> {
    for (;;) {
      const applied = await this.engine.processPending(BATCH)
      const dispatched = await this.dispatch()
      if (dispatched === 0 && applied < BATCH) return
    }
  }

  /** What a dispatcher does, with the send replaced by a rendering kept in `effects`. */
  private async dispatch(): Promise<number> {
    const claims = [...(await this.engine.claimOutbox('message', 10_000)), ...(await this.engine.claimOutbox('webhook', 10_000))]
    if (claims.length === 0) return 0
    const sent: MessageJob[] = []
    for (const claim of claims) {
      const job = claim.job
      const at = this.clock.now()
      const userId = job.context.user.id
      if (job.kind === 'message') {
        const out = await this.renderer.message(job)
        this.capture({ kind: 'message', userId, nodeId: job.context.nodeId, at }, out)
        this.lastMessage.set(userId, { id: job.id, channel: job.channel })
        this.lastByChannel.set(`${job.channel}\u0000${userId}`, job.id)
        if (out.ok) {
          sent.push(job)
          await this.engine.recordOutcome(job, 'message', job.id, { channel: job.channel, status: 'sent', providerId: SIMULATION_PROVIDER, rendered: out.rendered })
        } else {
          await this.engine.recordOutcome(job, 'message', job.id, { channel: job.channel, status: 'failed', reason: out.reason, attempts: 1 })
        }
      } else {
        const out = await this.renderer.webhook(job)
        this.capture({ kind: 'webhook', userId, nodeId: job.context.nodeId, at }, out)
        await this.engine.recordOutcome(job, 'webhook', null, {
          deliveryId: job.id,
          webhookId: job.webhookId,
          deliveryStatus: out.ok ? 'simulated' : 'failed',
          ...(out.ok ? { rendered: out.rendered } : { error: out.reason }),
        })
      }
    }
    await this.engine.completeOutbox(claims.map((c) => c.id))
    // The provider accepted them: `<channel>.sent` goes into the journal, as the live dispatcher reports it.
    await Promise.all(sent.map((job) => this.engine.messageSent(job, { providerId: SIMULATION_PROVIDER })))
    return claims.length
  }

  private capture(e: Omit<CapturedEffect, 'rendered' | 'error'>, out: RenderOutcome): void {
    this.effects.push(out.ok ? { ...e, rendered: out.rendered } : { ...e, rendered: null, error: out.reason })
  }
}
