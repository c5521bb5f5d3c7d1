/** Editing the graph on the canvas: undo history, connecting, adding, selecting, deleting, copying and laying out steps. */
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react'
import { type NodeType } from '@switchyard/schema'
import { checkConnection } from '../flow/connect'
import { connectedIndex, labelsOf, shownIssues, validateLocally } from './derived'
import { newEdgeId, newNodeId } from '../flow/ids'
import { canvasKind, CANVAS_KINDS } from '../kinds'
import { outletsOfNode } from '../flow/outlets'
import { autoLayout } from '../flow/layout'
import { copiesOf, insertIntoEdge, insertPosition } from '../flow/insert'
import type { FlowEdge, FlowNode, NodeData } from '../flow/types'
import { pathOfRun, type RunPath } from './paths'
import { notify, useEditor, type EditorState, type Inspection, type Snapshot } from './state'

const HISTORY_LIMIT = 100
const COALESCE_MS = 1200

const set = useEditor.setState
const get = useEditor.getState

/** Applies a change to the graph: records undo history, bumps the save sequence, revalidates. */
function change(next: Partial<Snapshot>, coalesceKey?: string): void {
  const s = get()
  const now = Date.now()
  const merge = coalesceKey !== undefined && s.coalesce?.key === coalesceKey && now - s.coalesce.at < COALESCE_MS
  const past = merge ? s.past : [...s.past, { nodes: s.nodes, edges: s.edges }].slice(-HISTORY_LIMIT)
  const nodes = next.nodes ?? s.nodes
  const edges = next.edges ?? s.edges
  commitGraph(nodes, edges, { past, future: [], coalesce: coalesceKey ? { key: coalesceKey, at: now } : null })
}

function commitGraph(nodes: FlowNode[], edges: FlowEdge[], extra: Partial<EditorState>): void {
  const s = get()
  const localIssues = validateLocally(nodes, edges, s.webhooks, s.settings)
  const editSeq = s.editSeq + 1
  const connected = edges === s.edges && nodes.length === s.nodes.length ? s.connected : connectedIndex(edges, nodes)
  set({
    ...extra,
    nodes,
    edges,
    connected,
    labels: labelsOf(nodes),
    editSeq,
    saveState: 'dirty',
    localIssues,
    issues: shownIssues({ editSeq, savedSeq: s.savedSeq, serverIssues: s.serverIssues, localIssues }),
    path: s.inspection ? pathForInspection(s.inspection, nodes, edges) : null,
  })
}

export function pathForInspection(i: Inspection, nodes: readonly FlowNode[], edges: readonly FlowEdge[]): RunPath | null {
  const run = i.runs[i.runIndex]
  return run ? pathOfRun(run, nodes, edges) : null
}

export const graphEdits = {
  onNodesChange(changes: NodeChange<FlowNode>[]): void {
    const s = get()
    const nodes = applyNodeChanges(changes, s.nodes)
    // A drag records history when it starts (onNodeDragStart) and is saved when it ends.
    const moved = changes.some((c) => c.type === 'position' && c.dragging === false)
    if (moved) commitGraph(nodes, s.edges, {})
    else set({ nodes })
  },
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void {
    const kept = changes.filter((c) => c.type === 'select')
    if (kept.length > 0) set({ edges: applyEdgeChanges(kept, get().edges) })
  },
  beginDrag(): void {
    const s = get()
    set({ past: [...s.past, { nodes: s.nodes, edges: s.edges }].slice(-HISTORY_LIMIT), future: [], coalesce: null })
  },

  connect(c: Connection): boolean {
    const s = get()
    const verdict = checkConnection(s, c)
    if (!verdict.ok) {
      notify(verdict.reason)
      return false
    }
    const handle = c.sourceHandle ?? outletsOfNode(s.nodes.find((n) => n.id === c.source))[0] ?? 'next'
    const id = newEdgeId(c.source, handle, c.target, new Set(s.edges.map((e) => e.id)))
    change({ edges: [...s.edges, { id, source: c.source, target: c.target, sourceHandle: handle, type: 'journey' }] })
    return true
  },

  addNode(type: NodeType, position: { x: number; y: number }): string {
    const s = get()
    const kind = CANVAS_KINDS[type]
    const id = newNodeId(kind.idPrefix, new Set(s.nodes.map((n) => n.id)))
    const node: FlowNode = { id, type, position: { x: Math.round(position.x), y: Math.round(position.y) }, data: kind.initialData(), selected: true }
    change({ nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] })
    set({ tab: 'node' })
    return id
  },

  /** A new step in a connection: at `position` (a drop), else where the connection's target was ("+"). */
  insertNode(type: NodeType, edgeId: string, position?: { x: number; y: number }): string | null {
    const s = get()
    const edge = s.edges.find((e) => e.id === edgeId)
    if (!edge) return null
    const kind = CANVAS_KINDS[type]
    const id = newNodeId(kind.idPrefix, new Set(s.nodes.map((n) => n.id)))
    const at = position ?? insertPosition(s.nodes, edge)
    const node: FlowNode = { id, type, position: { x: Math.round(at.x), y: Math.round(at.y) }, data: kind.initialData(), selected: true }
    const next = insertIntoEdge(s.nodes, s.edges, edgeId, node)
    if (!next) return null
    change(next)
    set({ tab: 'node' })
    return id
  },
  /** Moves one end of a connection to another step (React Flow's reconnect), if the rules allow it. */
  reconnect(edgeId: string, c: Connection): void {
    const s = get()
    const verdict = checkConnection(s, c, edgeId)
    if (!verdict.ok) {
      notify(verdict.reason)
      return
    }
    const old = s.edges.find((e) => e.id === edgeId)
    const handle = c.sourceHandle ?? old?.sourceHandle ?? 'next'
    const others = s.edges.filter((e) => e.id !== edgeId)
    const id = newEdgeId(c.source, handle, c.target, new Set(others.map((e) => e.id)))
    change({ edges: [...others, { id, source: c.source, target: c.target, sourceHandle: handle, type: 'journey' }] })
  },

  /**
   * Replaces a node's data; typing in one field merges into one undo step. Edges from outlets the
   * new data no longer has (a split's removed branch) go with them, in the same undo step.
   */
  setNodeData(id: string, data: NodeData, coalesceKey?: string): void {
    const s = get()
    const nodes = s.nodes.map((n) => (n.id === id ? { ...n, data } : n))
    const outlets = outletsOfNode(nodes.find((n) => n.id === id))
    const edges = s.edges.filter((e) => e.source !== id || e.sourceHandle == null || outlets.includes(e.sourceHandle))
    change(edges.length === s.edges.length ? { nodes } : { nodes, edges }, coalesceKey ? `${id}:${coalesceKey}` : undefined)
  },

  /** Names a step (`data.label`); an empty name goes back to the readable default. */
  renameNode(id: string, name: string): void {
    const node = get().nodes.find((n) => n.id === id)
    if (!node) return
    const { label: _old, ...rest } = node.data
    const trimmed = name.trim()
    if (trimmed === (typeof _old === 'string' ? _old : '')) return
    graphEdits.setNodeData(id, trimmed === '' ? rest : { ...rest, label: trimmed })
  },
  selectAll(): void {
    const s = get()
    set({ nodes: s.nodes.map((n) => (n.selected ? n : { ...n, selected: true })) })
  },

  selectOnly(id: string | null): void {
    const s = get()
    set({
      nodes: s.nodes.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })),
      edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      tab: id ? 'node' : s.tab,
    })
  },

  deleteSelection(): void {
    const s = get()
    const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id))
    const edges = s.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target))
    if (gone.size === 0 && edges.length === s.edges.length) return
    change({ nodes: s.nodes.filter((n) => !gone.has(n.id)), edges })
  },
  deleteNode(id: string): void {
    const s = get()
    change({ nodes: s.nodes.filter((n) => n.id !== id), edges: s.edges.filter((e) => e.source !== id && e.target !== id) })
  },
  deleteEdge(id: string): void {
    change({ edges: get().edges.filter((e) => e.id !== id) })
  },

  copy(): number {
    const s = get()
    const nodes = s.nodes.filter((n) => n.selected)
    const ids = new Set(nodes.map((n) => n.id))
    const edges = s.edges.filter((e) => ids.has(e.source) && ids.has(e.target))
    if (nodes.length > 0) set({ clipboard: { nodes, edges } })
    return nodes.length
  },
  /** Pastes the clipboard beside the originals with fresh ids; edges among the copies come along. */
  paste(): void {
    const s = get()
    const clip = s.clipboard
    if (!clip || clip.nodes.length === 0) return
    const { nodes: pasted, edges: pastedEdges } = copiesOf(clip, s.nodes, s.edges, (type) => canvasKind(type)?.idPrefix ?? 'n')
    change({ nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted], edges: [...s.edges, ...pastedEdges] })
    set({ clipboard: { nodes: pasted, edges: pastedEdges } })
  },

  undo(): void {
    const s = get()
    const prev = s.past[s.past.length - 1]
    if (!prev) return
    commitGraph(prev.nodes, prev.edges, { past: s.past.slice(0, -1), future: [{ nodes: s.nodes, edges: s.edges }, ...s.future], coalesce: null })
  },
  redo(): void {
    const s = get()
    const next = s.future[0]
    if (!next) return
    commitGraph(next.nodes, next.edges, { past: [...s.past, { nodes: s.nodes, edges: s.edges }], future: s.future.slice(1), coalesce: null })
  },

  layout(): void {
    const s = get()
    const positions = autoLayout(s.nodes, s.edges)
    change({ nodes: s.nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })) })
  },
}
