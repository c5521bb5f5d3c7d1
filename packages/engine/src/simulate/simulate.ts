import {
  activityEventName,
  nodeLabels,
  own,
  type IngestedEvent,
  type JourneyStats,
  type SimulatedEvent,
  type SimulatedUser,
  type SimulationAnswer,
  type ValidationIssue,
  type NodeReferences,
} from '@switchyard/schema'
import { historyView } from '../views'
import { Simulator, type EffectRenderer, type SimulatedJourney } from './simulator'

/** A simulation's input after the server resolved its times (ms epoch). */
export interface SimulationInput {
  journey: SimulatedJourney
  references: NodeReferences
  renderer: EffectRenderer
  workspace?: string
  start: number
  until: number
  users: SimulatedUser[]
  /** In the caller's order; `at` resolved. Events at the same time apply in this order. */
  events: (SimulatedEvent & { atMs: number })[]
}

export type SimulationResult = { ok: true; answer: SimulationAnswer } | { ok: false; issues: ValidationIssue[] }

/**
 * Runs scripted users and events through a journey on the virtual clock and answers each user's
 * path (the history items a live run would have), the stats, and every effect that would have left.
 */
export async function simulateJourney(input: SimulationInput): Promise<SimulationResult> {
  const opened = await Simulator.open({ journey: input.journey, references: input.references, renderer: input.renderer, start: input.start, ...(input.workspace ? { workspace: input.workspace } : {}) })
  if (!opened.ok) return opened
  const sim = opened.simulator
  try {
    // The users' traits hold from the start, set by an identify as a client would.
    const identifies = input.users.flatMap((u, i): (() => IngestedEvent)[] =>
      u.traits === undefined ? [] : [() => ({ messageId: `sim_traits_${i}`, type: 'identify', userId: u.userId, traits: u.traits ?? {}, timestamp: input.start, receivedAt: input.start })],
    )
    await sim.applyAt(input.start, identifies)
    const order = input.events.map((e, i) => ({ e, i })).sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i)
    for (let k = 0; k < order.length; ) {
      const at = order[k]?.e.atMs ?? input.start
      const same: (() => IngestedEvent | null)[] = []
      for (; k < order.length && order[k]?.e.atMs === at; k++) {
        const item = order[k]
        if (item) same.push(() => toIngested(sim, item.e, item.i))
      }
      await sim.applyAt(at, same)
    }
    await sim.finish(input.until)
    return { ok: true, answer: await answer(sim, input) }
  } finally {
    await sim.close()
  }
}

/** The journal event of a scripted event; an activity with no message sent to the user yet is dropped. */
function toIngested(sim: Simulator, e: SimulatedEvent & { atMs: number }, index: number): IngestedEvent | null {
  const base = { messageId: `sim_${index}`, userId: e.userId, timestamp: e.atMs, receivedAt: e.atMs }
  if (e.type === 'identify') return { ...base, type: 'identify', traits: e.traits ?? {} }
  if (e.activity) {
    const last = sim.lastMessageOf(e.userId)
    if (last === null) return null
    return { ...base, type: 'track', event: activityEventName(last.channel, e.activity.status), properties: { ...(e.properties ?? {}), messageId: last.id, channel: last.channel, status: e.activity.status } }
  }
  return { ...base, type: 'track', event: e.event ?? '', properties: e.properties ?? {} }
}

async function answer(sim: Simulator, input: SimulationInput): Promise<SimulationAnswer> {
  const userIds = [...new Set([...input.users.map((u) => u.userId), ...input.events.map((e) => e.userId)])]
  const labels = nodeLabels(input.journey.graph.nodes)
  const labelOf = (nodeId: string) => own(labels, nodeId)
  const users = await Promise.all(
    userIds.map(async (userId) => {
      const runs = (await sim.store.runsOf(sim.journeyId, userId)).reverse()
      const active = runs.find((r) => r.status === 'active')
      const last = runs.at(-1)
      return {
        userId,
        path: runs.flatMap((r) => r.history.map((h) => historyView(h, labelOf))),
        ...(active === undefined && last?.endedAt != null ? { endedAt: new Date(last.endedAt).toISOString() } : {}),
        ...(active?.currentNodeId != null ? { waitingAt: active.currentNodeId } : {}),
      }
    }),
  )
  const stats: JourneyStats = await sim.engine.stats(sim.journeyId)
  const effects = sim.effects.map((e) => ({ kind: e.kind, userId: e.userId, nodeId: e.nodeId, at: new Date(e.at).toISOString(), rendered: e.rendered, ...(e.error === undefined ? {} : { error: e.error }) }))
  return { users, stats, effects }
}
