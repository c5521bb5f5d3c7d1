import type { ReactElement } from 'react'
import type { HistoryItem } from '@switchyard/schema'
import type { FlowNode } from '../../flow/types'
import { outletLabel, outletTone } from '../../kinds'
import { outletsOfNode } from '../../flow/outlets'
import { clockTime, dateTime, relativeTime } from '../../ui/format'
import { editor, useEditor } from '../store'
import { describeDetail, timelineSteps, type TimelineStep } from './timeline'

/** A run's history, one item per step: the step's name, how it went, when; the rest folded away. */
export function Timeline({ history, nodes }: { history: readonly HistoryItem[]; nodes: readonly FlowNode[] }): ReactElement {
  const labels = useEditor((s) => s.labels)
  const steps = timelineSteps(history, labels)
  return (
    <ol className="timeline" data-testid="timeline">
      {steps.map((step) => (
        <TimelineItem key={step.nodeId} step={step} node={nodes.find((n) => n.id === step.nodeId)} />
      ))}
    </ol>
  )
}

function TimelineItem({ step, node }: { step: TimelineStep; node: FlowNode | undefined }): ReactElement {
  const status = step.last.detail?.status
  const messageId = step.items.find((h) => h.messageId)?.messageId ?? null
  // Raw values only in the details; the release time is shown above in the reader's clock.
  const facts = step.items.flatMap((h) => describeDetail(h.detail).filter(([k]) => !(k === 'until' && step.heldUntil !== null) && k !== 'status'))
  return (
    <li
      className={`tl tl-${step.last.kind} tone-${step.tone}`}
      data-testid="timeline-item"
      data-kind={step.last.kind}
      data-node-id={step.nodeId}
      data-outlet={step.outlet ?? undefined}
      data-status={typeof status === 'string' ? status : undefined}
    >
      <span className="tl-dot" />
      <div className="tl-main">
        <div className="tl-head">
          <button type="button" className="link-btn tl-step" onClick={() => editor.selectOnly(step.nodeId)} data-testid="timeline-step">
            {step.label}
          </button>
          <span className="muted small tl-time" title={dateTime(step.at)}>
            {clockTime(step.at)} · {relativeTime(step.at)}
          </span>
        </div>
        <div className="small tl-outcome" data-testid="timeline-outcome">
          {step.outcome}
        </div>
        {step.outlet && node && outletsOfNode(node).length > 1 ? (
          <div className="small">
            left by <span className={`outlet-chip tone-${outletTone(node, step.outlet)}`}>{outletLabel(node, step.outlet)}</span>
          </div>
        ) : null}
        {step.heldUntil !== null ? (
          <div className="small" data-testid="timeline-held-until" data-until={step.heldUntil}>
            held until <strong>{dateTime(step.heldUntil)}</strong> ({relativeTime(step.heldUntil)})
          </div>
        ) : null}
        {messageId || facts.length > 0 ? (
          <details className="tl-details" data-testid="timeline-details">
            <summary className="small muted">Details</summary>
            <dl className="tl-facts">
              {messageId ? (
                <div>
                  <dt>message id</dt>
                  <dd className="mono" data-testid="timeline-message-id">
                    {messageId}
                  </dd>
                </div>
              ) : null}
              {facts.map(([k, v], i) => (
                <div key={`${k}${i}`}>
                  <dt>{k}</dt>
                  <dd className="mono">{v}</dd>
                </div>
              ))}
            </dl>
          </details>
        ) : null}
      </div>
    </li>
  )
}
