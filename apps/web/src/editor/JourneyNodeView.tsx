import { Handle, Position, type NodeProps } from '@xyflow/react'
import { own } from '@switchyard/schema'
import { memo, type ReactElement } from 'react'
import { NODE_LOOKS, OUTLET_LABELS, isNodeType, labelOfType, outletsOfType, requiredOutletsOfType } from '../flow/kinds'
import { readString, summarize } from '../flow/nodeData'
import type { FlowNode } from '../flow/types'
import { NodeIcon } from '../ui/icons'
import { clockTime } from '../ui/format'
import { accentStyle } from '../ui/accent'
import { useEditor } from './store'

const NO_ISSUES: never[] = []

/** One card for every node kind; it reads issues, counts and the inspected path from the store by id. */
export const JourneyNodeView = memo(function JourneyNodeView({ id, type, data, selected }: NodeProps<FlowNode>): ReactElement {
  const issues = useEditor((s) => own(s.issues.byNode, id) ?? NO_ISSUES)
  const connected = useEditor((s) => own(s.connected, id) ?? '')
  const hasStats = useEditor((s) => s.stats !== null)
  const entered = useEditor((s) => own(s.stats?.nodes, id)?.entered ?? 0)
  const active = useEditor((s) => own(s.stats?.nodes, id)?.active ?? 0)
  const visit = useEditor((s) => (s.path ? (own(s.path.nodes, id) ?? 0) : -1))
  const waitingUntil = useEditor((s) => (s.path?.currentNodeId === id ? (s.path.waitingUntil ?? 'now') : null))
  const webhookId = type === 'webhook' ? readString(data, 'webhookId') : ''
  const webhookName = useEditor((s) => (webhookId ? s.webhooks.find((w) => w.id === webhookId)?.name : undefined))

  const look = isNodeType(type) ? NODE_LOOKS[type] : { color: '#64748b', tint: '#f1f5f9' }
  const outlets = outletsOfType(type)
  const required = requiredOutletsOfType(type)
  const linked = connected ? connected.split(',') : []
  const style = accentStyle(look.color, look.tint)
  const classes = ['jnode']
  if (selected) classes.push('selected')
  if (issues.length > 0) classes.push('has-issues')
  if (visit > 0) classes.push('visited')
  if (visit === 0) classes.push('dimmed')
  if (waitingUntil !== null) classes.push('current')

  return (
    <div className={classes.join(' ')} style={style} data-testid="node" data-node-id={id} data-node-type={type} data-visited={visit > 0 ? 'true' : undefined}>
      {type !== 'trigger' ? <Handle type="target" position={Position.Top} id="in" className="handle-in" data-testid={`handle-${id}-in`} /> : null}
      <div className="jnode-head">
        <span className="jnode-icon">
          <NodeIcon type={type} size={14} />
        </span>
        <span className="jnode-kind">{labelOfType(type)}</span>
      </div>
      <div className="jnode-body">{summarize(type, data, webhookName)}</div>
      {hasStats ? (
        <div className="jnode-stats" title={`${entered} users entered this step, ${active} are here now`}>
          <span>
            <strong data-testid="node-entered">{entered.toLocaleString()}</strong> entered
          </span>
          <span className={active > 0 ? 'active-count' : ''}>
            <strong data-testid="node-active">{active.toLocaleString()}</strong> here now
          </span>
        </div>
      ) : null}
      {waitingUntil !== null ? (
        <div className="jnode-waiting" data-testid="node-waiting">
          {type === 'waitForEvent' || type === 'delay' ? `Waiting until ${clockTime(waitingUntil === 'now' ? null : waitingUntil)}` : 'User is here now'}
        </div>
      ) : null}
      {issues.length > 0 ? (
        <ul className="jnode-issues" data-testid="node-issues" title={issues.map((i) => i.message).join('\n')}>
          {byPriority(issues)
            .slice(0, 2)
            .map((i, k) => (
              <li key={k}>{i.message}</li>
            ))}
          {issues.length > 2 ? <li className="more">+{issues.length - 2} more: select the step to see all</li> : null}
        </ul>
      ) : null}
      {outlets.length > 1 ? (
        <div className="jnode-outlets">
          {outlets.map((o) => (
            <span key={o} className={required.includes(o) && !linked.includes(o) ? 'outlet-label open' : 'outlet-label'}>
              {OUTLET_LABELS[o]}
            </span>
          ))}
        </div>
      ) : null}
      {outlets.map((o, i) => (
        <Handle
          key={o}
          type="source"
          position={Position.Bottom}
          id={o}
          className={required.includes(o) && !linked.includes(o) ? 'handle-out open' : 'handle-out'}
          style={{ left: `${((i + 1) / (outlets.length + 1)) * 100}%` }}
          data-testid={`handle-${id}-${o}`}
          title={OUTLET_LABELS[o]}
        />
      ))}
    </div>
  )
})

/** What to fix first: a missing connection before what the step's own form says. */
const FIRST = ['outlet.unconnected', 'trigger.missing', 'wait.no_preceding_action', 'wait.status_not_in_channel']
function byPriority<T extends { code: string }>(issues: readonly T[]): T[] {
  const rank = (c: string) => {
    const i = FIRST.indexOf(c)
    return i < 0 ? FIRST.length : i
  }
  return [...issues].sort((a, b) => rank(a.code) - rank(b.code))
}

export const NODE_COMPONENTS = {
  trigger: JourneyNodeView,
  action: JourneyNodeView,
  waitForEvent: JourneyNodeView,
  webhook: JourneyNodeView,
  delay: JourneyNodeView,
  condition: JourneyNodeView,
  exit: JourneyNodeView,
}
