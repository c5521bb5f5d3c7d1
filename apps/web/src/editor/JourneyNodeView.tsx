import { Handle, Position, useStore, useUpdateNodeInternals, type NodeProps, type NodeTypes } from '@xyflow/react'
import { NODE_TYPES, own } from '@switchyard/schema'
import { memo, useEffect, useRef, useState, type ReactElement } from 'react'
import { canvasKind, labelOfType, lookOfType, outletLabel, outletNote } from '../kinds'
import { outletsOfNode, requiredOutletsOfNode } from '../flow/outlets'
import { NodeIcon } from '../kinds/NodeIcon'
import type { FlowNode } from '../flow/types'
import { clockTime } from '../ui/format'
import { accentStyle } from '../ui/accent'
import { NodeTitle } from './NodeTitle'
import { editor, useEditor } from './store'
import './card.css'

const NO_ISSUES: never[] = []
/** Below this zoom a card shows only its icon and name: the details would be unreadable anyway. */
export const SIMPLE_ZOOM = 0.45

/**
 * One card for every node kind; it reads issues, counts and the inspected path from the store by
 * id. Its height does not depend on its problems (a badge, with a popover), so cards never grow
 * over their neighbours' outlets.
 */
export const JourneyNodeView = memo(function JourneyNodeView({ id, type, data, selected }: NodeProps<FlowNode>): ReactElement {
  const issues = useEditor((s) => own(s.issues.byNode, id) ?? NO_ISSUES)
  const connected = useEditor((s) => own(s.connected, id) ?? '')
  const hasStats = useEditor((s) => s.stats !== null)
  const entered = useEditor((s) => own(s.stats?.nodes, id)?.entered ?? 0)
  const active = useEditor((s) => own(s.stats?.nodes, id)?.active ?? 0)
  const visit = useEditor((s) => (s.path ? (own(s.path.nodes, id) ?? 0) : -1))
  const waitingUntil = useEditor((s) => (s.path?.currentNodeId === id ? (s.path.waitingUntil ?? 'now') : null))
  const webhooks = useEditor((s) => s.webhooks)
  const simple = useStore((s) => s.transform[2] < SIMPLE_ZOOM)

  const kind = canvasKind(type)
  const look = lookOfType(type)
  const node = { type, data }
  const outlets = outletsOfNode(node)
  const required = requiredOutletsOfNode(node)
  const linked = connected ? connected.split(',') : []
  // A card's size no longer changes with its problems, so React Flow must be told when its
  // handles move (a split's branch added or removed), or edges attach where the handles were.
  const updateInternals = useUpdateNodeInternals()
  const handleKey = `${outlets.join(',')}|${simple}`
  const measured = useRef(handleKey)
  useEffect(() => {
    // React Flow measures a card when it mounts; only later moves need telling.
    if (measured.current === handleKey) return
    measured.current = handleKey
    updateInternals(id)
  }, [updateInternals, id, handleKey])
  const width = kind?.width?.(data)
  const style = width === undefined ? accentStyle(look.color, look.tint) : { ...accentStyle(look.color, look.tint), width }
  const classes = ['jnode']
  if (selected) classes.push('selected')
  if (issues.length > 0) classes.push('has-issues')
  if (visit > 0) classes.push('visited')
  // A step the inspected run did not visit is faded, unless it is new since (not in the run's version).
  if (visit === 0 && !selected) classes.push('dimmed')
  if (waitingUntil !== null) classes.push('current')
  if (simple) classes.push('simple')

  return (
    <div className={classes.join(' ')} style={style} data-testid="node" data-node-id={id} data-node-type={type} data-visited={visit > 0 ? 'true' : undefined}>
      {kind?.inlet !== false ? <Handle type="target" position={Position.Top} id="in" className="handle-in" data-testid={`handle-${id}-in`} /> : null}
      <div className="jnode-head">
        <span className="jnode-icon">
          <NodeIcon type={type} size={14} />
        </span>
        <div className="jnode-names">
          <NodeTitle id={id} />
          <span className="jnode-kind">{labelOfType(type)}</span>
        </div>
        {issues.length > 0 ? <IssueBadge issues={issues} urgent={kind?.urgentIssues} /> : null}
      </div>
      {simple ? null : (
        <>
          <div className="jnode-body">{kind ? kind.summary(data, { webhooks }) : `Unknown node type "${type}"`}</div>
          {hasStats ? (
            <div className="jnode-stats" title={`${entered} users entered this step, ${active} are here now`}>
              <span>
                <strong data-testid="node-entered">{entered.toLocaleString()}</strong> entered
              </span>
              <button
                type="button"
                className={active > 0 ? 'here-now active-count nodrag' : 'here-now nodrag'}
                onClick={(e) => {
                  e.stopPropagation()
                  editor.showUsersAt(id)
                }}
                title="List the users here now"
                data-testid="node-here-now"
              >
                <strong data-testid="node-active">{active.toLocaleString()}</strong> here now
              </button>
            </div>
          ) : null}
          {kind?.Card ? <kind.Card id={id} data={data} /> : null}
          {waitingUntil !== null ? (
            <div className="jnode-waiting" data-testid="node-waiting">
              {kind?.waits ? `Waiting until ${clockTime(waitingUntil === 'now' ? null : waitingUntil)}` : 'User is here now'}
            </div>
          ) : null}
        </>
      )}
      {outlets.length > 1 && !simple ? (
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

/** The card's problems: a count, and the messages in a popover on hover or click. */
function IssueBadge({ issues, urgent }: { issues: readonly { code: string; message: string }[]; urgent: readonly string[] | undefined }): ReactElement {
  const [open, setOpen] = useState(false)
  return (
    <span className="jnode-issue-badge nodrag" onMouseEnter={() => setOpen(true)} onMouseLeave={() => setOpen(false)}>
      <button
        type="button"
        className="issue-count"
        onClick={(e) => {
          e.stopPropagation()
          setOpen((v) => !v)
        }}
        aria-label={`${issues.length} problem${issues.length === 1 ? '' : 's'}`}
        data-testid="node-issue-count"
      >
        {issues.length}
      </button>
      <ul className={open ? 'jnode-issues open' : 'jnode-issues'} data-testid="node-issues">
        {byPriority(issues, urgent).map((i, k) => (
          <li key={k}>{i.message}</li>
        ))}
      </ul>
    </span>
  )
}

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
