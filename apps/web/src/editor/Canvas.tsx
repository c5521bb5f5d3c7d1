import {
  Background,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type IsValidConnection,
} from '@xyflow/react'
import { useCallback, useMemo, useRef, type DragEvent, type ReactElement } from 'react'
import { NodeType } from '@switchyard/schema'
import { checkConnection } from '../flow/connect'
import { lookOfType } from '../kinds'
import { NODE_WIDTH } from '../flow/size'
import { openingViewport } from '../flow/opening'
import type { FlowEdge, FlowNode } from '../flow/types'
import { Icon } from '../ui/icons'
import { EDGE_COMPONENTS } from './JourneyEdgeView'
import { NODE_COMPONENTS } from './JourneyNodeView'
import { FOLLOWING_KINDS, openPicker, StepPicker } from './StepPicker'
import { editor, useEditor } from './store'

export const DND_TYPE = 'application/x-switchyard-node'
/** The smallest zoom: low enough that fit view fits a 300-step journey. */
const MIN_ZOOM = 0.01
const FIT = { padding: 0.1, maxZoom: 1, minZoom: MIN_ZOOM }

const isValidConnection: IsValidConnection = (c: Connection | Edge) =>
  checkConnection(useEditor.getState(), { source: c.source, target: c.target, sourceHandle: c.sourceHandle }).ok

const minimapColor = (n: FlowNode): string => lookOfType(n.type).color

/** The connection under a screen point, if any: React Flow draws each with a wide invisible path to hit. */
function edgeAt(x: number, y: number): string | null {
  for (const el of document.elementsFromPoint(x, y)) {
    const edge = el.closest('.react-flow__edge')
    const id = edge?.getAttribute('data-id')
    if (id) return id
  }
  return null
}

export function Canvas(): ReactElement {
  const nodes = useEditor((s) => s.nodes)
  const edges = useEditor((s) => s.edges)
  const canUndo = useEditor((s) => s.past.length > 0)
  const canRedo = useEditor((s) => s.future.length > 0)
  const flow = useReactFlow()
  const box = useRef<HTMLDivElement>(null)
  // Read once, when the canvas mounts: the journey opens on its trigger, not fitted.
  const opening = useMemo(() => openingViewport(useEditor.getState().nodes, box.current?.clientWidth ?? Math.max(600, window.innerWidth - 560)), [])

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault()
      const type = NodeType.safeParse(e.dataTransfer.getData(DND_TYPE))
      if (!type.success) return
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY })
      // The card's head is where the pointer is: it does not jump.
      const at = { x: p.x - NODE_WIDTH / 2, y: p.y - 22 }
      const edgeId = type.data === 'trigger' ? null : edgeAt(e.clientX, e.clientY)
      if (edgeId === null || editor.insertNode(type.data, edgeId, at) === null) editor.addNode(type.data, at)
    },
    [flow],
  )
  const onDragOver = useCallback((e: DragEvent) => {
    e.preventDefault()
    e.dataTransfer.dropEffect = 'move'
  }, [])

  /** A connection let go over nothing offers the step picker; the chosen step lands there, connected. */
  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || !state.fromNode || state.fromHandle?.type !== 'source') return
      const point = 'changedTouches' in event ? event.changedTouches[0] : event
      if (!point) return
      const target = event.target instanceof Element ? event.target : null
      if (!target?.classList.contains('react-flow__pane')) return
      const source = state.fromNode.id
      const sourceHandle = state.fromHandle.id ?? null
      const p = flow.screenToFlowPosition({ x: point.clientX, y: point.clientY })
      openPicker({
        x: point.clientX,
        y: point.clientY,
        kinds: FOLLOWING_KINDS,
        choose: (type) => {
          const id = editor.addNode(type, { x: p.x - NODE_WIDTH / 2, y: p.y })
          editor.connect({ source, sourceHandle, target: id, targetHandle: 'in' })
        },
      })
    },
    [flow],
  )

  return (
    <div className="canvas" data-testid="canvas" onDrop={onDrop} onDragOver={onDragOver} ref={box}>
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_COMPONENTS}
        edgeTypes={EDGE_COMPONENTS}
        defaultEdgeOptions={{ type: 'journey' }}
        onNodesChange={editor.onNodesChange}
        onEdgesChange={editor.onEdgesChange}
        onConnect={editor.connect}
        onConnectEnd={onConnectEnd}
        onReconnect={(old, c) => editor.reconnect(old.id, c)}
        edgesReconnectable
        isValidConnection={isValidConnection}
        onNodeDragStart={editor.beginDrag}
        onPaneClick={() => editor.selectOnly(null)}
        onNodeClick={() => editor.setTab('node')}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        defaultViewport={opening}
        onInit={(f) => {
          if (box.current) void f.setViewport(openingViewport(useEditor.getState().nodes, box.current.clientWidth))
        }}
        minZoom={MIN_ZOOM}
        maxZoom={2}
        onlyRenderVisibleElements={nodes.length > 120}
        proOptions={{ hideAttribution: true }}
        connectionRadius={28}
      >
        <Background gap={20} size={1.2} color="#d5dae3" />
        <Controls position="bottom-left" showInteractive={false} fitViewOptions={FIT} />
        <MiniMap position="bottom-right" nodeColor={minimapColor} nodeStrokeWidth={0} pannable zoomable maskColor="rgba(240,242,247,0.7)" className="minimap" />
        <Panel position="top-right" className="canvas-tools">
          <button type="button" className="tool-btn" onClick={editor.undo} disabled={!canUndo} title="Undo (Ctrl+Z)" data-testid="undo">
            <Icon name="undo" />
          </button>
          <button type="button" className="tool-btn" onClick={editor.redo} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" data-testid="redo">
            <Icon name="redo" />
          </button>
          <span className="tool-sep" />
          <button
            type="button"
            className="tool-btn wide"
            onClick={() => {
              editor.layout()
              requestAnimationFrame(() => void flow.fitView({ ...FIT, duration: 200 }))
            }}
            title="Auto-layout (Shift+L)"
            data-testid="auto-layout"
          >
            <Icon name="layout" /> Tidy up
          </button>
        </Panel>
        {nodes.length === 0 ? (
          <Panel position="top-center" className="canvas-empty">
            <strong>Drag a Trigger here to start.</strong> Then add messages, waits and webhooks, and connect each outlet to the next step.
          </Panel>
        ) : null}
      </ReactFlow>
      <StepPicker />
    </div>
  )
}
