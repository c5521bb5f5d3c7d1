import { Channel } from '@switchyard/schema'
import type { GraphShape } from './connect'

export interface PrecedingAction {
  nodeId: string
  channel: Channel | null
}

/**
 * The nearest `action` upstream of a node (breadth-first against the edges), whose message a wait
 * on activity listens to. Null when no message precedes the node.
 */
export function nearestPrecedingAction(
  graph: { nodes: readonly { id: string; type?: string | undefined; data?: Record<string, unknown> }[]; edges: GraphShape['edges'] },
  nodeId: string,
): PrecedingAction | null {
  const seen = new Set<string>([nodeId])
  let frontier = [nodeId]
  while (frontier.length > 0) {
    const next: string[] = []
    for (const id of frontier) {
      for (const e of graph.edges) {
        if (e.target !== id || seen.has(e.source)) continue
        seen.add(e.source)
        const node = graph.nodes.find((n) => n.id === e.source)
        if (!node) continue
        if (node.type === 'action') {
          const channel = Channel.safeParse(node.data?.channel)
          return { nodeId: node.id, channel: channel.success ? channel.data : null }
        }
        next.push(node.id)
      }
    }
    frontier = next
  }
  return null
}
