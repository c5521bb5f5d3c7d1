import dagre from '@dagrejs/dagre'
import { outletsOfNode } from './outlets'
import { NODE_WIDTH } from './size'
import type { FlowEdge, FlowNode } from './types'

const DEFAULT_HEIGHT = 112

/** Top-to-bottom layout: outlets keep their left-to-right order (matched before timeout, yes before no, a split's branches in order). */
export function autoLayout(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph()
  g.setGraph({ rankdir: 'TB', nodesep: 56, ranksep: 72, marginx: 0, marginy: 0 })
  g.setDefaultEdgeLabel(() => ({}))
  for (const n of nodes) g.setNode(n.id, { width: n.measured?.width ?? NODE_WIDTH, height: n.measured?.height ?? DEFAULT_HEIGHT })
  const sorted = [...edges].sort((a, b) => outletRank(nodes, a) - outletRank(nodes, b))
  for (const e of sorted) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target)
  dagre.layout(g)
  const out = new Map<string, { x: number; y: number }>()
  for (const n of nodes) {
    const p = g.node(n.id)
    const width = n.measured?.width ?? NODE_WIDTH
    const height = n.measured?.height ?? DEFAULT_HEIGHT
    out.set(n.id, { x: Math.round(p.x - width / 2), y: Math.round(p.y - height / 2) })
  }
  return out
}

function outletRank(nodes: readonly FlowNode[], e: FlowEdge): number {
  const i = outletsOfNode(nodes.find((n) => n.id === e.source)).findIndex((o) => o === e.sourceHandle)
  return i < 0 ? 0 : i
}
