import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, useStore, type EdgeProps } from '@xyflow/react'
import { own } from '@switchyard/schema'
import { memo, type ReactElement } from 'react'
import type { FlowEdge } from '../flow/types'
import { outletLabel, outletTone } from '../kinds'
import { outletsOfNode } from '../flow/outlets'
import { editor, useEditor } from './store'
import { FOLLOWING_KINDS, openPicker } from './StepPicker'

const NO_ISSUES: never[] = []

/** An edge with its outlet name (when the source branches), the users who took it, and its issues. */
export const JourneyEdgeView = memo(function JourneyEdgeView(props: EdgeProps<FlowEdge>): ReactElement {
  const { id, source, sourceHandleId, selected, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition } = props
  const outlet = sourceHandleId ?? 'next'
  // The outlet is named on the edge when its node has several: React Flow's lookup finds the node at once.
  const outletName = useStore((s) => {
    const node = s.nodeLookup.get(source)
    return node && outletsOfNode(node).length > 1 ? outletLabel(node, outlet) : null
  })
  const tone = useStore((s) => outletTone(s.nodeLookup.get(source), outlet))
  const count = useEditor((s) => (s.stats ? (own(own(s.stats.nodes, source)?.outlets, outlet) ?? 0) : null))
  const entered = useEditor((s) => (s.stats ? (own(s.stats.nodes, source)?.entered ?? 0) : 0))
  const issues = useEditor((s) => own(s.issues.byEdge, id) ?? NO_ISSUES)
  const taken = useEditor((s) => (s.path ? own(s.path.edges, id) === true : null))
  const [path, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 14, offset: 18 })

  const classes = ['jedge']
  if (selected) classes.push('selected')
  if (issues.length > 0) classes.push('has-issues')
  if (taken === true) classes.push('taken')
  if (taken === false) classes.push('dimmed')
  const showOutlet = outletName !== null
  const share = count !== null && entered > 0 ? `${Math.round((count / entered) * 100)}%` : null

  return (
    <>
      <BaseEdge id={id} path={path} className={classes.join(' ')} interactionWidth={18} />
      <EdgeLabelRenderer>
          <div
            className={`edge-label ${classes.join(' ')} tone-${tone}${showOutlet || count !== null || issues.length > 0 || selected ? '' : ' bare'}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid={`edge-label-${id}`}
            data-edge-id={id}
            data-taken={taken === true ? 'true' : undefined}
          >
            {showOutlet ? <span className="edge-outlet">{outletName}</span> : null}
            {count !== null ? (
              <span className="edge-count" data-testid={`edge-count-${id}`} title={`${count} of ${entered} users left by ${outlet}`}>
                {count.toLocaleString()}
              </span>
            ) : null}
            {share !== null ? (
              <span className="edge-share" data-testid={`edge-share-${id}`}>
                {share}
              </span>
            ) : null}
            {issues.length > 0 ? (
              <span className="edge-issue" data-testid="edge-issue" title={issues.map((i) => i.message).join('\n')}>
                {issues[0]?.message}
              </span>
            ) : null}
            {selected ? (
              <button type="button" className="edge-delete nodrag nopan" onClick={() => editor.deleteEdge(id)} aria-label="Delete connection" data-testid="edge-delete">
                ×
              </button>
            ) : null}
            <button
              type="button"
              className="edge-insert nodrag nopan"
              onClick={(e) => {
                e.stopPropagation()
                openPicker({ x: e.clientX, y: e.clientY, kinds: FOLLOWING_KINDS, choose: (type) => editor.insertNode(type, id) })
              }}
              aria-label="Insert a step here"
              title="Insert a step here"
              data-testid={`edge-insert-${id}`}
            >
              +
            </button>
          </div>
        </EdgeLabelRenderer>
    </>
  )
})

export const EDGE_COMPONENTS = { journey: JourneyEdgeView }
