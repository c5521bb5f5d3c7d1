import type { NodeOf, NodeType } from '@switchyard/schema'
import type { JourneyCatalog, PendingDecision } from './catalog'
import { ENGINE_KINDS } from './kinds'
import { recordedFixed } from './kinds/kind'
import type { CounterDelta } from './records'
import type { EngineStore } from './store'

/**
 * Before a batch: every node whose once-per-version decision is due (a split's winner) gets its
 * outlet, once. One recorded by an earlier batch (before a restart) is taken as it is; otherwise
 * the node's kind decides from the version's counters so far, and the batch writes it.
 */
export async function decideDue(catalog: JourneyCatalog, store: EngineStore, now: number): Promise<void> {
  const due = catalog.dueDecisions(now)
  if (due.length === 0) return
  const countersOf = new Map<string, Promise<CounterDelta[]>>()
  for (const p of due) {
    const key = `${p.loaded.journeyId}@${p.loaded.version}`
    const pending = countersOf.get(key) ?? store.counters(p.loaded.journeyId, p.loaded.version)
    countersOf.set(key, pending)
    const counters = await pending
    const recorded = recordedFixed(counters, p.node.id)
    const outlet = recorded ?? decide(p, counters)
    if (outlet !== undefined) catalog.fix(p, outlet, recorded === undefined)
  }
}

function decide(p: PendingDecision, counters: readonly CounterDelta[]): string | undefined {
  return decideAs(p.node.type, p.node, counters)
}

function decideAs<T extends NodeType>(type: T, node: NodeOf<T>, counters: readonly CounterDelta[]): string | undefined {
  return ENGINE_KINDS[type].decide?.(node, counters)
}

/** When a node's decision is due for a version published at `publishedAt`, if it makes one. */
export function decisionDue<T extends NodeType>(type: T, node: NodeOf<T>, publishedAt: number): number | undefined {
  return ENGINE_KINDS[type].decisionDue?.(node, publishedAt)
}
