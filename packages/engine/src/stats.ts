import { dict, own, type JourneyNode, type JourneyStats, type NodeOf, type NodeStats, type NodeType } from '@switchyard/schema'
import { JOURNEY_NODE, type JourneyCatalog } from './catalog'
import type { EngineStore } from './store'
import { ENGINE_KINDS } from './kinds'
import type { CounterDelta } from './records'

/** Counters give `entered` and outlets; runs give `active`. Keyed by the user's ids: `dict`s. */
export function buildStats(counters: CounterDelta[], active: { nodeId: string | null; count: number }[]): JourneyStats {
  const nodes = dict<JourneyStats['nodes'][string]>()
  const journey = { users: 0, entered: 0, controlEntered: 0, converted: 0, controlConverted: 0 }
  const node = (id: string) => (nodes[id] ??= { entered: 0, active: 0, outlets: dict<number>() })
  for (const c of counters) {
    if (c.nodeId === JOURNEY_NODE) {
      if (c.metric === 'users') journey.users += c.delta
      else if (c.metric === 'entered') journey.entered += c.delta
      else if (c.metric === 'entered_control') journey.controlEntered += c.delta
      else if (c.metric === 'converted') journey.converted += c.delta
      else if (c.metric === 'converted_control') journey.controlConverted += c.delta
      continue
    }
    const n = node(c.nodeId)
    if (c.metric === 'entered') n.entered += c.delta
    else if (c.metric.startsWith('outlet:')) {
      const outlet = c.metric.slice('outlet:'.length)
      n.outlets[outlet] = (n.outlets[outlet] ?? 0) + c.delta
    }
  }
  for (const a of active) if (a.nodeId !== null) node(a.nodeId).active += a.count
  return { nodes, journey }
}

/** Figures some kinds add to their nodes (a split's branches and winner), read from counters once. */
export async function addKindStats(stats: JourneyStats, nodes: readonly JourneyNode[], counters: () => Promise<CounterDelta[]>): Promise<void> {
  const adding = nodes.filter((n) => ENGINE_KINDS[n.type].stats !== undefined)
  if (adding.length === 0) return
  const rows = await counters()
  for (const node of adding) {
    const extra = kindStats(node.type, node, rows)
    if (extra !== undefined) Object.assign((stats.nodes[node.id] ??= { entered: 0, active: 0, outlets: dict<number>() }), extra)
  }
}

function kindStats<T extends NodeType>(type: T, node: NodeOf<T>, counters: readonly CounterDelta[]): Partial<NodeStats> | undefined {
  return ENGINE_KINDS[type].stats?.(node, counters)
}

/** A journey's stats with each node's label on the version shown and the kinds' own figures. */
export async function labelledStats(store: EngineStore, catalog: JourneyCatalog, journeyId: string, version?: number): Promise<JourneyStats> {
  const stats = await store.stats(journeyId, version)
  const shown = version ?? catalog.journey(journeyId)?.latest
  if (shown === undefined || shown === null) return stats
  await catalog.ensure([{ journeyId, version: shown }])
  const loaded = catalog.get(journeyId, shown)
  if (loaded === undefined) return stats
  for (const [nodeId, node] of Object.entries(stats.nodes)) {
    const label = own(loaded.labels, nodeId)
    if (label !== undefined) node.label = label
  }
  await addKindStats(stats, [...loaded.nodes.values()], () => store.counters(journeyId, version))
  return stats
}
