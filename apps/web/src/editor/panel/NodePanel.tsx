import { type ReactElement } from 'react'
import { customLabel, isNodeType, LABEL_MAX, NODE_KINDS, own } from '@switchyard/schema'
import { canvasKind, labelOfType, lookOfType } from '../../kinds'
import { NodeIcon } from '../../kinds/NodeIcon'
import type { NodeData } from '../../flow/types'
import { Icon } from '../../ui/icons'
import { accentStyle } from '../../ui/accent'
import { editor, useEditor } from '../store'
import type { FormProps } from './fields'

export function NodePanel(): ReactElement {
  const node = useEditor((s) => {
    const selected = s.nodes.filter((n) => n.selected)
    return selected.length === 1 ? selected[0] : undefined
  })
  const many = useEditor((s) => s.nodes.filter((n) => n.selected).length)
  const issues = useEditor((s) => (node ? own(s.issues.byNode, node.id) : undefined))
  const label = useEditor((s) => (node ? (s.labels[node.id] ?? '') : ''))
  if (!node) {
    return (
      <div className="panel-empty" data-testid="panel-empty">
        {many > 1 ? (
          <>
            <strong>{many} steps selected</strong>
            <p className="muted">Press Delete to remove them, Ctrl+C to copy, Ctrl+D to duplicate.</p>
          </>
        ) : (
          <>
            <strong>Select a step to configure it</strong>
            <p className="muted">Drag steps from the palette on the left, then connect each outlet (the dots at the bottom of a step) to the next step.</p>
          </>
        )}
      </div>
    )
  }
  const type = node.type ?? ''
  const set = (data: NodeData, key: string) => editor.setNodeData(node.id, data, key)
  const look = lookOfType(type)
  return (
    <div className="node-panel" data-testid="node-panel" data-node-id={node.id}>
      <div className="node-panel-head" style={accentStyle(look.color, look.tint)}>
        <span className="jnode-icon">
          <NodeIcon type={type} size={16} />
        </span>
        <div className="grow">
          <h3 data-testid="node-panel-label">{label}</h3>
          {label !== labelOfType(type) ? <span className="muted small">{labelOfType(type)}</span> : null}
        </div>
        <button type="button" className="btn ghost small danger" onClick={() => editor.deleteNode(node.id)} data-testid="node-delete" title="Delete step (Delete)">
          <Icon name="trash" /> Delete
        </button>
      </div>
      {isNodeType(type) ? <p className="muted small">{NODE_KINDS[type].description}</p> : null}
      <label className="field">
        <span>Name</span>
        <input
          key={`${node.id}:${customLabel(node.data) ?? ''}`}
          defaultValue={customLabel(node.data) ?? ''}
          placeholder={label}
          maxLength={LABEL_MAX}
          onBlur={(e) => editor.renameNode(node.id, e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.currentTarget.blur()
          }}
          data-testid="field-label"
        />
      </label>
      {issues && issues.length > 0 ? (
        <ul className="panel-issues" data-testid="panel-issues">
          {issues.map((i, k) => (
            <li key={k}>{i.message}</li>
          ))}
        </ul>
      ) : null}
      <NodeForm node={node} set={set} />
    </div>
  )
}

function NodeForm(props: FormProps): ReactElement {
  const kind = canvasKind(props.node.type)
  if (!kind) return <p className="error-text">This step has an unknown type, “{props.node.type}”. Delete it and add a step from the palette.</p>
  return <kind.Form {...props} />
}
