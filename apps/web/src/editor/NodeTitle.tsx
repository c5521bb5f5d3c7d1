import { LABEL_MAX } from '@switchyard/schema'
import { useState, type ReactElement } from 'react'
import { editor, useEditor } from './store'

/** A step's name on its card: double-click to rename it (`data.label`); empty goes back to the default. */
export function NodeTitle({ id }: { id: string }): ReactElement {
  const label = useEditor((s) => s.labels[id] ?? '')
  const [editing, setEditing] = useState(false)
  if (!editing) {
    return (
      <span className="jnode-title" data-testid="node-label" title={`${label} (double-click to rename)`} onDoubleClick={() => setEditing(true)}>
        {label}
      </span>
    )
  }
  const done = (value: string | null) => {
    setEditing(false)
    if (value !== null) editor.renameNode(id, value)
  }
  return (
    <input
      className="jnode-title-input nodrag"
      defaultValue={label}
      maxLength={LABEL_MAX}
      autoFocus
      onFocus={(e) => e.currentTarget.select()}
      onBlur={(e) => done(e.currentTarget.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') done(e.currentTarget.value)
        else if (e.key === 'Escape') done(null)
        e.stopPropagation()
      }}
      aria-label="Step name"
      data-testid="node-label-input"
    />
  )
}
