import { dict, type JourneyNode, type JourneyStats, type NodeOf, type NodeStats, type NodeType } from '@switchyard/schema'
import { JOURNEY_NODE } from './catalog'
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
