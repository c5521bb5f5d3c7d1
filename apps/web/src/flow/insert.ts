import { outletsOfNode } from './outlets'
import { newEdgeId, newNodeId } from './ids'
import { NODE_WIDTH } from './size'
import type { FlowEdge, FlowNode } from './types'

/** How far a step inserted into a connection pushes what follows it down: one card and a gap. */
export const INSERT_GAP = 190

/** Every node reachable from `start` by edges, `start` included. */
function downstream(edges: readonly FlowEdge[], start: string): Set<string> {
  const seen = new Set<string>([start])
  const queue = [start]
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    for (const e of edges) if (e.source === id && !seen.has(e.target)) queue.push(e.target), seen.add(e.target)
  }
  return seen
}

/**
 * Puts `node` into the connection `edgeId`: source → node (by the same outlet) → target (by the
 * node's first outlet). The target and everything after it move down to make room when the new
 * step would cover it, so a chain stays straight. Null when the edge is gone.
 */
export function insertIntoEdge(nodes: readonly FlowNode[], edges: readonly FlowEdge[], edgeId: string, node: FlowNode): { nodes: FlowNode[]; edges: FlowEdge[] } | null {
  const edge = edges.find((e) => e.id === edgeId)
  if (!edge) return null
  const ids = new Set(edges.map((e) => e.id))
  const handle = edge.sourceHandle ?? 'next'
  const inId = newEdgeId(edge.source, handle, node.id, ids)
  ids.add(inId)
  const kept = edges.filter((e) => e.id !== edgeId)
  const next: FlowEdge[] = [...kept, { id: inId, source: edge.source, target: node.id, sourceHandle: handle, type: 'journey' }]
  const outlet = outletsOfNode(node)[0]
  const target = nodes.find((n) => n.id === edge.target)
  let moved: readonly FlowNode[] = nodes
  if (outlet !== undefined && target) {
    next.push({ id: newEdgeId(node.id, outlet, edge.target, ids), source: node.id, target: edge.target, sourceHandle: outlet, type: 'journey' })
    const room = node.position.y + INSERT_GAP - target.position.y
    const covers = Math.abs(node.position.x - target.position.x) < NODE_WIDTH && room > 0
    if (covers) {
      const after = downstream(kept, edge.target)
      after.delete(edge.source)
      moved = nodes.map((n) => (after.has(n.id) ? { ...n, position: { x: n.position.x, y: n.position.y + room } } : n))
    }
  }
  return { nodes: [...moved.map((n) => (n.selected ? { ...n, selected: false } : n)), node], edges: next }
}

/** Where a step inserted by "+" goes: where the target was, in line with the source. */
export function insertPosition(nodes: readonly FlowNode[], edge: FlowEdge): { x: number; y: number } {
  const source = nodes.find((n) => n.id === edge.source)
  const target = nodes.find((n) => n.id === edge.target)
  if (!source || !target) return { x: 0, y: 0 }
  const x = Math.abs(source.position.x - target.position.x) < NODE_WIDTH ? source.position.x : target.position.x
  return { x, y: Math.max(target.position.y, source.position.y + INSERT_GAP) }
}

/**
 * How far pasted copies move from their originals: below the copied group, so no copy covers an
 * original (the old 48 px nudge put them on top of each other).
 */
export function pasteOffset(copied: readonly FlowNode[]): { x: number; y: number } {
  const ys = copied.map((n) => n.position.y)
  const bottoms = copied.map((n) => n.position.y + (n.measured?.height ?? 130))
  const height = Math.max(...bottoms) - Math.min(...ys)
  return { x: 40, y: Math.round(height + 60) }
}

/**
 * Copies of the clipboard with fresh ids (`prefixOf` a type: the kind's id prefix), below the
 * originals; edges among the copies come along.
 */
export function copiesOf(
  clip: { nodes: readonly FlowNode[]; edges: readonly FlowEdge[] },
  nodes: readonly FlowNode[],
  edges: readonly FlowEdge[],
  prefixOf: (type: string) => string,
): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const taken = new Set(nodes.map((n) => n.id))
  const rename = new Map<string, string>()
  const off = pasteOffset(clip.nodes)
  const pasted: FlowNode[] = clip.nodes.map((n) => {
    const type = n.type ?? 'exit'
    const id = newNodeId(prefixOf(type), taken)
    taken.add(id)
    rename.set(n.id, id)
    return { id, type, position: { x: n.position.x + off.x, y: n.position.y + off.y }, data: structuredClone(n.data), selected: true }
  })
  const edgeIds = new Set(edges.map((e) => e.id))
  const pastedEdges: FlowEdge[] = []
  for (const e of clip.edges) {
    const source = rename.get(e.source)
    const target = rename.get(e.target)
    if (!source || !target) continue
    const handle = e.sourceHandle ?? 'next'
    const id = newEdgeId(source, handle, target, edgeIds)
    edgeIds.add(id)
    pastedEdges.push({ id, source, target, sourceHandle: handle, type: 'journey' })
  }
  return { nodes: pasted, edges: pastedEdges }
}
