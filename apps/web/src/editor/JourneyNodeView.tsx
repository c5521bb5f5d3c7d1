import { Handle, Position, type NodeProps, type NodeTypes } from '@xyflow/react'
import { NODE_TYPES, own } from '@switchyard/schema'
import { memo, type ReactElement } from 'react'
import { canvasKind, labelOfType, lookOfType, outletLabel, outletNote } from '../kinds'
import { outletsOfNode, requiredOutletsOfNode } from '../flow/outlets'
import { NodeIcon } from '../kinds/NodeIcon'
import type { FlowNode } from '../flow/types'
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
  const webhooks = useEditor((s) => s.webhooks)

  const kind = canvasKind(type)
  const look = lookOfType(type)
  const node = { type, data }
  const outlets = outletsOfNode(node)
  const required = requiredOutletsOfNode(node)
  const linked = connected ? connected.split(',') : []
  const width = kind?.width?.(data)
  const style = width === undefined ? accentStyle(look.color, look.tint) : { ...accentStyle(look.color, look.tint), width }
  const classes = ['jnode']
  if (selected) classes.push('selected')
  if (issues.length > 0) classes.push('has-issues')
  if (visit > 0) classes.push('visited')
  if (visit === 0) classes.push('dimmed')
  if (waitingUntil !== null) classes.push('current')

  return (
    <div className={classes.join(' ')} style={style} data-testid="node" data-node-id={id} data-node-type={type} data-visited={visit > 0 ? 'true' : undefined}>
      {kind?.inlet !== false ? <Handle type="target" position={Position.Top} id="in" className="handle-in" data-testid={`handle-${id}-in`} /> : null}
      <div className="jnode-head">
        <span className="jnode-icon">
          <NodeIcon type={type} size={14} />
        </span>
        <span className="jnode-kind">{labelOfType(type)}</span>
      </div>
      <div className="jnode-body">{kind ? kind.summary(data, { webhooks }) : `Unknown node type "${type}"`}</div>
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
      {kind?.Card ? <kind.Card id={id} data={data} /> : null}
      {waitingUntil !== null ? (
        <div className="jnode-waiting" data-testid="node-waiting">
          {kind?.waits ? `Waiting until ${clockTime(waitingUntil === 'now' ? null : waitingUntil)}` : 'User is here now'}
        </div>
      ) : null}
      {issues.length > 0 ? (
        <ul className="jnode-issues" data-testid="node-issues" title={issues.map((i) => i.message).join('\n')}>
          {byPriority(issues, kind?.urgentIssues)
            .slice(0, 2)
            .map((i, k) => (
              <li key={k}>{i.message}</li>
            ))}
          {issues.length > 2 ? <li className="more">+{issues.length - 2} more: select the step to see all</li> : null}
        </ul>
      ) : null}
      {outlets.length > 1 ? (
        <div className="jnode-outlets">
          {outlets.map((o) => {
            const note = outletNote(node, o)
            return (
              <span key={o} className={required.includes(o) && !linked.includes(o) ? 'outlet-label open' : 'outlet-label'} data-testid={`outlet-label-${id}-${o}`}>
                <span className="outlet-name">{outletLabel(node, o)}</span>
                {note ? <span className="outlet-note">{note}</span> : null}
              </span>
            )
          })}
        </div>
      ) : null}
      {outlets.map((o, i) => (
        <Handle
          key={o}
          type="source"
          position={Position.Bottom}
          id={o}
          className={required.includes(o) && !linked.includes(o) ? 'handle-out open' : 'handle-out'}
          style={{ left: `calc(10px + (100% - 20px) * ${(i + 0.5) / outlets.length})` }}
          data-testid={`handle-${id}-${o}`}
          title={outletLabel(node, o)}
        />
      ))}
    </div>
  )
})

/** What to fix first: a missing connection, then what the kind says matters most, then the rest. */
const FIRST = ['outlet.unconnected', 'trigger.missing']
function byPriority<T extends { code: string }>(issues: readonly T[], urgent: readonly string[] = []): T[] {
  const order = [...FIRST, ...urgent]
  const rank = (c: string) => {
    const i = order.indexOf(c)
    return i < 0 ? order.length : i
  }
  return [...issues].sort((a, b) => rank(a.code) - rank(b.code))
}

/** React Flow's node types: one card for every kind, which reads the kind's parts from the registry. */
export const NODE_COMPONENTS: NodeTypes = Object.fromEntries(NODE_TYPES.map((type) => [type, JourneyNodeView]))
