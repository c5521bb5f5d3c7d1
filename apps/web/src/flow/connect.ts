import { canvasKind, labelOfType, outletLabel } from '../kinds'
import { outletOfEdge, outletsOfNode } from './outlets'
import type { NodeData } from './types'

export interface GraphShape {
  nodes: readonly { id: string; type?: string | undefined; data?: NodeData | undefined }[]
  edges: readonly { id: string; source: string; target: string; sourceHandle?: string | null | undefined }[]
}

export interface ConnectionAttempt {
  source: string | null
  target: string | null
  sourceHandle?: string | null | undefined
}

export type ConnectionVerdict = { ok: true } | { ok: false; reason: string }

/**
 * The one place that says whether an outlet may be connected to a node. The canvas asks it while
 * the user drags a connection and again before adding the edge; paste and undo never bypass it
 * because they only restore edges that passed it.
 */
export function checkConnection(graph: GraphShape, c: ConnectionAttempt, ignoreEdgeId?: string): ConnectionVerdict {
  if (!c.source || !c.target) return { ok: false, reason: 'Connect an outlet to a node.' }
  const source = graph.nodes.find((n) => n.id === c.source)
  const target = graph.nodes.find((n) => n.id === c.target)
  if (!source || !target) return { ok: false, reason: 'Both ends must be nodes of this journey.' }
  if (source.id === target.id) return { ok: false, reason: 'A node cannot lead to itself.' }
  if (canvasKind(target.type)?.inlet === false) return { ok: false, reason: `Nothing leads into a ${labelOfType(target.type).toLowerCase()}: it starts the journey.` }
  const outlets = outletsOfNode(source)
  if (outlets.length === 0) return { ok: false, reason: `Nothing follows this ${labelOfType(source.type).toLowerCase()} step: it has no outlet.` }
  const handle = outletOfEdge(source, c.sourceHandle)
  if (!handle || !outlets.some((o) => o === handle)) return { ok: false, reason: `Choose one of the outlets: ${outlets.map((o) => outletLabel(source, o)).join(', ')}.` }
  const used = graph.edges.some((e) => e.id !== ignoreEdgeId && e.source === source.id && outletOfEdge(source, e.sourceHandle) === handle)
  if (used) return { ok: false, reason: `The ${outletLabel(source, handle)} outlet already leads somewhere; remove that connection first.` }
  if (reaches(graph, target.id, source.id)) return { ok: false, reason: 'This would make a loop; journeys flow one way.' }
  return { ok: true }
}

function reaches(graph: GraphShape, from: string, to: string): boolean {
  const seen = new Set<string>()
  const stack = [from]
  while (stack.length > 0) {
    const id = stack.pop()
    if (id === undefined || seen.has(id)) continue
    if (id === to) return true
    seen.add(id)
    for (const e of graph.edges) if (e.source === id) stack.push(e.target)
  }
  return false
}
