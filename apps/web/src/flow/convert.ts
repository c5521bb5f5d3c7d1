import type { DraftGraph } from '@switchyard/schema'
import { NODE_WIDTH } from './size'
import type { FlowEdge, FlowNode } from './types'

/**
 * A card's size until React Flow measures it: a large journey draws only the cards on screen, and
 * without it the minimap and fit view would not see the others.
 */
const INITIAL_HEIGHT = 130

export interface FlowState {
  nodes: FlowNode[]
  edges: FlowEdge[]
}

/** The saved graph as React Flow state. With `fromFlow`, the only converter between the two. */
export function toFlow(graph: DraftGraph): FlowState {
  return {
    nodes: graph.nodes.map((n) => ({ id: n.id, type: n.type, position: { x: n.position.x, y: n.position.y }, data: { ...n.data }, initialWidth: NODE_WIDTH, initialHeight: INITIAL_HEIGHT })),
    edges: graph.edges.map((e) => {
      const edge: FlowEdge = { id: e.id, source: e.source, target: e.target, type: 'journey' }
      if (e.sourceHandle != null) edge.sourceHandle = e.sourceHandle
      return edge
    }),
  }
}

/** React Flow state as the saved graph: only what the journey means, none of the canvas state. */
export function fromFlow(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): DraftGraph {
  return {
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.type ?? 'exit',
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      data: n.data,
    })),
    edges: edges.map((e) => ({ id: e.id, source: e.source, target: e.target, sourceHandle: e.sourceHandle ?? null })),
  }
}
