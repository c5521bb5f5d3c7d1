import { Background, Controls, MiniMap, Panel, ReactFlow, useReactFlow, type Connection, type Edge, type IsValidConnection } from '@xyflow/react'
import { useCallback, type DragEvent, type ReactElement } from 'react'
import { NodeType } from '@switchyard/schema'
import { checkConnection } from '../flow/connect'
import { lookOfType } from '../kinds'
import { NODE_WIDTH } from '../flow/size'
import type { FlowNode } from '../flow/types'
import { Icon } from '../ui/icons'
import { EDGE_COMPONENTS } from './JourneyEdgeView'
import { NODE_COMPONENTS } from './JourneyNodeView'
import { editor, useEditor } from './store'

export const DND_TYPE = 'application/x-switchyard-node'

const isValidConnection: IsValidConnection = (c: Connection | Edge) =>
  checkConnection(useEditor.getState(), { source: c.source, target: c.target, sourceHandle: c.sourceHandle }).ok

const minimapColor = (n: FlowNode): string => lookOfType(n.type).color

export function Canvas(): ReactElement {
  const nodes = useEditor((s) => s.nodes)
  const edges = useEditor((s) => s.edges)
  const canUndo = useEditor((s) => s.past.length > 0)
  const canRedo = useEditor((s) => s.future.length > 0)
  const flow = useReactFlow()

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault()
      const type = NodeType.safeParse(e.dataTransfer.getData(DND_TYPE))
      if (!type.success) return
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY })
      editor.addNode(type.data, { x: p.x - NODE_WIDTH / 2, y: p.y - 30 })
    },
    [flow],
  )
  const onDragOver = useCallback((e: DragEvent) => {
    e.preventDefault()
    e.dataTransfer.dropEffect = 'move'
  }, [])

  return (
    <div className="canvas" data-testid="canvas" onDrop={onDrop} onDragOver={onDragOver}>
      <ReactFlow<FlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_COMPONENTS}
        edgeTypes={EDGE_COMPONENTS}
        defaultEdgeOptions={{ type: 'journey' }}
        onNodesChange={editor.onNodesChange}
        onEdgesChange={editor.onEdgesChange}
        onConnect={editor.connect}
        isValidConnection={isValidConnection}
        onNodeDragStart={editor.beginDrag}
        onPaneClick={() => editor.selectOnly(null)}
        onNodeClick={() => editor.setTab('node')}
        deleteKeyCode={null}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        minZoom={0.1}
        maxZoom={2}
        onlyRenderVisibleElements={nodes.length > 120}
        proOptions={{ hideAttribution: true }}
        connectionRadius={28}
      >
        <Background gap={20} size={1.2} color="#d5dae3" />
        <Controls position="bottom-left" showInteractive={false} />
        <MiniMap position="bottom-right" nodeColor={minimapColor} nodeStrokeWidth={0} pannable zoomable maskColor="rgba(240,242,247,0.7)" />
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
              requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1, duration: 200 }))
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
    </div>
  )
}
