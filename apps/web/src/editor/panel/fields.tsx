import { type ReactElement } from 'react'
import { dict, type Condition } from '@switchyard/schema'
import type { FlowNode, NodeData } from '../../flow/types'
import { ConditionBuilder } from './ConditionBuilder'

export interface FormProps {
  node: FlowNode
  /** Replaces the node's data; edits with the same key within a moment are one undo step. */
  set: (data: NodeData, key: string) => void
}

export const COMMON_EVENTS = ['add_to_cart', 'Charged', 'signed_up', 'App Launched', 'Product Viewed', 'checkout_started', 'order_completed']

export function EventInput(props: { value: string; onChange: (v: string) => void; testId: string; label: string; hint?: string }): ReactElement {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input className="mono" list="common-events" value={props.value} onChange={(e) => props.onChange(e.target.value)} placeholder="add_to_cart" data-testid={props.testId} />
      <datalist id="common-events">
        {COMMON_EVENTS.map((e) => (
          <option key={e} value={e} />
        ))}
      </datalist>
      {props.hint ? <small className="muted">{props.hint}</small> : null}
    </label>
  )
}

export function OptionalCondition(props: { label: string; value: Condition | null; onChange: (c: Condition | undefined) => void; testId: string }): ReactElement {
  const on = props.value !== null
  return (
    <div className="field">
      <label className="check">
        <input type="checkbox" checked={on} onChange={(e) => props.onChange(e.target.checked ? { all: [{ path: 'user.traits.country', op: 'eq', value: '' }] } : undefined)} data-testid={`${props.testId}-toggle`} />
        {props.label}
      </label>
      {on ? <ConditionBuilder value={props.value} onChange={props.onChange} testId={props.testId} /> : null}
    </div>
  )
}

export function without(data: NodeData, key: string): NodeData {
  const out: NodeData = dict()
  for (const [k, v] of Object.entries(data)) if (k !== key) out[k] = v
  return out
}

export function withOptional(data: NodeData, key: string, value: unknown): NodeData {
  return value === undefined ? without(data, key) : { ...data, [key]: value }
}
