import { type ReactElement } from 'react'
import { NODE_KINDS, own } from '@switchyard/schema'
import { NODE_LOOKS, isNodeType, labelOfType } from '../../flow/kinds'
import type { NodeData } from '../../flow/types'
import { NodeIcon, Icon } from '../../ui/icons'
import { accentStyle } from '../../ui/accent'
import { editor, useEditor } from '../store'
import type { FormProps } from './fields'
import { ActionForm, TriggerForm, WaitForm } from './MessageForms'
import { ConditionForm, DelayForm, WebhookForm } from './StepForms'

export function NodePanel(): ReactElement {
  const node = useEditor((s) => {
    const selected = s.nodes.filter((n) => n.selected)
    return selected.length === 1 ? selected[0] : undefined
  })
  const many = useEditor((s) => s.nodes.filter((n) => n.selected).length)
  const issues = useEditor((s) => (node ? own(s.issues.byNode, node.id) : undefined))
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
  const look = isNodeType(type) ? NODE_LOOKS[type] : { color: '#64748b', tint: '#f1f5f9' }
  return (
    <div className="node-panel" data-testid="node-panel" data-node-id={node.id}>
      <div className="node-panel-head" style={accentStyle(look.color, look.tint)}>
        <span className="jnode-icon">
          <NodeIcon type={type} size={16} />
        </span>
        <div className="grow">
          <h3>{labelOfType(type)}</h3>
          <span className="mono muted small">{node.id}</span>
        </div>
        <button type="button" className="btn ghost small danger" onClick={() => editor.deleteNode(node.id)} data-testid="node-delete" title="Delete step (Delete)">
          <Icon name="trash" /> Delete
        </button>
      </div>
      {isNodeType(type) ? <p className="muted small">{NODE_KINDS[type].description}</p> : null}
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
  switch (props.node.type) {
    case 'trigger':
      return <TriggerForm {...props} />
    case 'action':
      return <ActionForm {...props} />
    case 'waitForEvent':
      return <WaitForm {...props} />
    case 'webhook':
      return <WebhookForm {...props} />
    case 'delay':
      return <DelayForm {...props} />
    case 'condition':
      return <ConditionForm {...props} />
    case 'exit':
      return <p className="muted">Users who reach this step leave the journey. Their run is marked completed.</p>
    default:
      return <p className="error-text">This step has an unknown type, “{props.node.type}”. Delete it and add a step from the palette.</p>
  }
}
