import type { Engine } from '@switchyard/engine'
import { deliveryGate, frequencyCapWindowMs, type DeliveredJob } from '@switchyard/channels'
import type { JourneySettings } from '@switchyard/schema'
import type { HandlerResult, RelayOutcome } from '@switchyard/engine'

/** How outcome rows name a job: a message by its id and channel, a webhook by its delivery. */
function outcomeOf(job: DeliveredJob, detail: Record<string, unknown>): RelayOutcome {
  return job.kind === 'message'
    ? { kind: 'message', messageId: job.id, detail: { channel: job.channel, ...detail } }
    : { kind: 'webhook', messageId: null, detail: { webhookId: job.webhookId, deliveryId: job.id, ...detail } }
}

/**
 * Wires `@switchyard/channels`' delivery rules to the engine. Null: the job may leave now.
 * Otherwise the handler's answer: a hold keeps the outbox row until the window ends and records
 * when and why in the same transaction; a skip completes the job, its outcome written with the rest of the relay batch.
 * `sent` holds the user's sends a cap counts, read by the caller only when a cap applies.
 */
function applyDeliveryRules(job: DeliveredJob, settings: JourneySettings | null, now: number, sent: readonly number[]): { result: HandlerResult } | null {
  const d = deliveryGate(job, settings, now, () => sent)
  switch (d.action) {
    case 'send':
      return null
    case 'hold':
      return { result: { retryAt: d.until, outcome: outcomeOf(job, { status: 'held', until: new Date(d.until).toISOString(), rule: d.rule, reason: d.reason }) } }
    case 'skip':
      return { result: { outcome: outcomeOf(job, { status: 'skipped', rule: d.rule, reason: d.reason }) } }
  }
}

const NONE: readonly number[] = []

/**
 * The rules over a relay batch: each job held or skipped gets its answer in `results` (at its
 * index); the jobs that may leave now are in `leaving`, with their index, for the caller to send
 * and answer. Settings come from the engine's memory; sends a cap counts are read only when one applies.
 */
export async function gateBatch<J extends DeliveredJob>(
  engine: Engine,
  jobs: readonly J[],
  sentTimestamps?: (job: J, sinceMs: number) => Promise<readonly number[]>,
): Promise<{ results: HandlerResult[]; leaving: { i: number; job: J }[] }> {
  const results: HandlerResult[] = new Array<HandlerResult>(jobs.length)
  const leaving: { i: number; job: J }[] = []
  // Settings once per journey version in the batch; without a cap, no await per job.
  const settingsOf = new Map<string, Map<number, JourneySettings | null>>()
  const now = engine.clock.now()
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i] as J
    const { id, version } = job.context.journey
    const versions = settingsOf.get(id) ?? new Map<number, JourneySettings | null>()
    settingsOf.set(id, versions)
    let settings = versions.get(version)
    if (settings === undefined) {
      settings = await engine.versionSettings(id, version)
      versions.set(version, settings)
    }
    // The gate is pure: the user's sends it may count are read first, and only when a cap applies.
    const caps = job.kind === 'message' ? (settings?.frequencyCaps ?? []) : []
    const sent = caps.length > 0 && sentTimestamps ? await sentTimestamps(job, now - frequencyCapWindowMs(caps)) : NONE
    const gate = applyDeliveryRules(job, settings, now, sent)
    if (gate) results[i] = gate.result
    else leaving.push({ i, job })
  }
  return { results, leaving }
}
