import { dict, type RunView } from '@switchyard/schema'
import { outletOfEdge } from '../flow/outlets'
import type { FlowEdge, FlowNode } from '../flow/types'

/** A run drawn on the canvas: the nodes it visited (in order), the edges it took, where it is now. */
export interface RunPath {
  nodes: Record<string, number>
  edges: Record<string, true>
  currentNodeId: string | null
  waitingUntil: string | null
  status: RunView['status']
}

export function pathOfRun(run: RunView, nodes: readonly FlowNode[], edges: readonly FlowEdge[]): RunPath {
  const visited = dict<number>()
  const taken = dict<true>()
  let order = 0
  for (const item of run.history) {
    if (!(item.nodeId in visited)) visited[item.nodeId] = ++order
    if (!item.outlet) continue
    const node = nodes.find((n) => n.id === item.nodeId)
    const edge = edges.find((e) => e.source === item.nodeId && outletOfEdge(node, e.sourceHandle) === item.outlet)
    if (edge) taken[edge.id] = true
  }
  if (run.currentNodeId && !(run.currentNodeId in visited)) visited[run.currentNodeId] = ++order
  // A history that records only entries still shows the edges between consecutive visited nodes.
  for (const e of edges) if (!taken[e.id] && visited[e.source] !== undefined && visited[e.target] !== undefined && leftBy(run, e)) taken[e.id] = true
  return { nodes: visited, edges: taken, currentNodeId: run.status === 'active' ? run.currentNodeId : null, waitingUntil: run.waitingUntil, status: run.status }
}

function leftBy(run: RunView, e: FlowEdge): boolean {
  const left = run.history.some((h) => h.nodeId === e.source && h.outlet !== null)
  if (left) return run.history.some((h) => h.nodeId === e.source && h.outlet === e.sourceHandle)
  const si = run.history.findIndex((h) => h.nodeId === e.source)
  const ti = run.history.findIndex((h) => h.nodeId === e.target)
  return si >= 0 && ti > si
}
