import { useReactFlow } from '@xyflow/react'
import type { ReactElement } from 'react'
import { NODE_KINDS, NODE_TYPES, type NodeType } from '@switchyard/schema'
import { CANVAS_KINDS } from '../kinds'
import { NodeIcon } from '../kinds/NodeIcon'
import { NODE_WIDTH } from '../flow/size'
import { accentStyle } from '../ui/accent'
import { DND_TYPE } from './Canvas'
import { editor, useEditor } from './store'
import { freeSpot } from '../flow/freeSpot'

/** The steps of every kind, dragged onto the canvas or clicked to drop in the middle of the view. */
export function Palette(): ReactElement {
  const flow = useReactFlow()
  const addAtCenter = (type: NodeType) => {
    const el = document.querySelector('.canvas')
    const rect = el?.getBoundingClientRect()
    const p = flow.screenToFlowPosition({ x: rect ? rect.left + rect.width / 2 : 400, y: rect ? rect.top + rect.height / 3 : 200 })
    editor.addNode(type, freeSpot(useEditor.getState().nodes, { x: p.x - NODE_WIDTH / 2, y: p.y }))
  }
  return (
    <aside className="palette" data-testid="palette">
      <h3>Steps</h3>
      {NODE_TYPES.map((type) => (
        <div
          key={type}
          className="palette-item"
          draggable
          role="button"
          tabIndex={0}
          style={accentStyle(CANVAS_KINDS[type].color, CANVAS_KINDS[type].tint)}
          onDragStart={(e) => {
            e.dataTransfer.setData(DND_TYPE, type)
            e.dataTransfer.effectAllowed = 'move'
          }}
          onClick={() => addAtCenter(type)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault()
              addAtCenter(type)
            }
          }}
          title={NODE_KINDS[type].description}
          data-testid={`palette-${type}`}
        >
          <span className="palette-icon">
            <NodeIcon type={type} size={15} />
          </span>
          <span className="palette-text">
            <strong>{NODE_KINDS[type].label}</strong>
            <span>{CANVAS_KINDS[type].hint}</span>
          </span>
        </div>
      ))}
      <p className="palette-foot">Drag onto the canvas, or click to add. Press ? for shortcuts.</p>
    </aside>
  )
}
