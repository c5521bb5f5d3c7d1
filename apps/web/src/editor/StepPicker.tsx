import { NODE_KINDS, NODE_TYPES, type NodeType } from '@switchyard/schema'
import { useEffect, type ReactElement } from 'react'
import { create } from 'zustand'
import { CANVAS_KINDS } from '../kinds'
import { NodeIcon } from '../kinds/NodeIcon'
import { accentStyle } from '../ui/accent'

/** Where the step picker is open (screen point) and what choosing a kind does there. */
export interface PickerRequest {
  x: number
  y: number
  /** Kinds offered: a connection's middle takes no trigger. */
  kinds: readonly NodeType[]
  choose: (type: NodeType) => void
}

export const usePicker = create<{ open: PickerRequest | null }>(() => ({ open: null }))

export function openPicker(request: PickerRequest): void {
  usePicker.setState({ open: request })
}

export function closePicker(): void {
  usePicker.setState({ open: null })
}

/** Every kind but the trigger: what can follow a step. */
export const FOLLOWING_KINDS: readonly NodeType[] = NODE_TYPES.filter((t) => CANVAS_KINDS[t].inlet)

/** A small menu of step kinds at a point of the canvas: for "+" on a connection and a connection dropped on nothing. */
export function StepPicker(): ReactElement | null {
  const open = usePicker((s) => s.open)
  useEffect(() => {
    if (!open) return
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') closePicker()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [open])
  if (!open) return null
  const left = Math.min(open.x, window.innerWidth - 240)
  const top = Math.min(open.y, window.innerHeight - 40 * open.kinds.length - 40)
  return (
    <>
      <div className="picker-backdrop" onMouseDown={closePicker} />
      <div className="step-picker" style={{ left, top }} role="menu" data-testid="step-picker">
        <div className="step-picker-title">Add a step</div>
        {open.kinds.map((type) => (
          <button
            key={type}
            type="button"
            role="menuitem"
            className="step-picker-item"
            style={accentStyle(CANVAS_KINDS[type].color, CANVAS_KINDS[type].tint)}
            onClick={() => {
              closePicker()
              open.choose(type)
            }}
            data-testid={`picker-${type}`}
          >
            <span className="palette-icon">
              <NodeIcon type={type} size={14} />
            </span>
            {NODE_KINDS[type].label}
          </button>
        ))}
      </div>
    </>
  )
}
