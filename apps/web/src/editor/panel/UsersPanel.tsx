import { useEffect, useState, type ReactElement } from 'react'
import type { HistoryItem, RunView } from '@switchyard/schema'
import { api } from '../../api/endpoints'
import { errorMessage } from '../../api/client'
import type { UserSummary } from '../../api/schemas'
import type { FlowNode } from '../../flow/types'
import { canvasKind, labelOfType, outletLabel, outletTone } from '../../kinds'
import { clockTime, dateTime, relativeTime } from '../../ui/format'
import { StatusPill } from '../../ui/StatusPill'
import { Icon } from '../../ui/icons'
import { inspectUser, showMoreRuns } from '../polling'
import { editor, RUNS_MAX, useEditor } from '../store'

/** The user inspector: find a user, pick a run, read every step it took. */
export function UsersPanel({ journeyId }: { journeyId: string }): ReactElement {
  const inspection = useEditor((s) => s.inspection)
  const [query, setQuery] = useState('')
  const [users, setUsers] = useState<UserSummary[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let cancelled = false
    const t = setTimeout(() => {
      api.users(journeyId, query.trim()).then(
        (u) => {
          if (!cancelled) {
            setUsers(u)
            setError(null)
          }
        },
        (e: unknown) => {
          if (!cancelled) setError(errorMessage(e))
        },
      )
    }, 250)
    return () => {
      cancelled = true
      clearTimeout(t)
    }
  }, [journeyId, query, inspection?.userId])

  const open = async (userId: string) => {
    try {
      const n = await inspectUser(journeyId, userId)
      setError(n === 0 ? `${userId} has not entered this journey.` : null)
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  if (inspection) return <RunInspector journeyId={journeyId} />
  return (
    <div className="stack" data-testid="users-panel">
      <form
        className="search"
        onSubmit={(e) => {
          e.preventDefault()
          if (query.trim()) void open(query.trim())
        }}
      >
        <Icon name="search" />
        <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Find a user id" data-testid="user-search" aria-label="User id" />
        <button type="submit" className="btn small" disabled={!query.trim()} data-testid="user-open">
          Open
        </button>
      </form>
      {error ? <div className="banner error small">{error}</div> : null}
      {users !== null && users.length === 0 ? (
        <p className="muted">{query ? 'No user in this journey starts with that id.' : 'No user has entered this journey yet. Use the Test tab to send an event.'}</p>
      ) : null}
      <ul className="user-list">
        {(users ?? []).map((u) => (
          <li key={u.userId}>
            <button type="button" onClick={() => void open(u.userId)} data-testid="user-result" data-user-id={u.userId}>
              <span className="mono strong">{u.userId}</span>
              <span className="muted small">
                {u.runs} run{u.runs === 1 ? '' : 's'} · {relativeTime(u.lastActivityAt)}
              </span>
              {u.status ? <StatusPill status={u.status} /> : null}
            </button>
          </li>
        ))}
      </ul>
    </div>
  )
}

function RunInspector({ journeyId }: { journeyId: string }): ReactElement | null {
  const inspection = useEditor((s) => s.inspection)
  const nodes = useEditor((s) => s.nodes)
  const webhooks = useEditor((s) => s.webhooks)
  if (!inspection) return null
  const run: RunView | undefined = inspection.runs[inspection.runIndex]
  const nodeOf = (id: string | null) => nodes.find((n) => n.id === id)
  const current = run?.status === 'active' ? nodeOf(run.currentNodeId) : undefined
  return (
    <div className="stack" data-testid="inspector" data-user-id={inspection.userId}>
      <div className="inspector-head">
        <span className="avatar">
          <Icon name="user" />
        </span>
        <div className="grow">
          <strong className="mono" data-testid="inspected-user">
            {inspection.userId}
          </strong>
          <span className="muted small">
            {inspection.runs.length}
            {inspection.page.more ? '+' : ''} run{inspection.runs.length === 1 && !inspection.page.more ? '' : 's'} in this journey
          </span>
        </div>
        <button type="button" className="btn small" onClick={editor.stopInspecting} data-testid="inspector-close">
          Close
        </button>
      </div>
      {inspection.runs.length > 1 ? (
        <div className="run-tabs">
          {inspection.runs.map((r, i) => (
            <button key={r.runId} type="button" className={i === inspection.runIndex ? 'on' : ''} onClick={() => editor.inspect(inspection.userId, inspection.runs, i)}>
              v{r.version} · {dateTime(r.startedAt)}
            </button>
          ))}
        </div>
      ) : null}
      {inspection.page.more ? (
        inspection.page.limit < RUNS_MAX ? (
          <button type="button" className="btn small" onClick={() => void showMoreRuns(journeyId).catch(() => undefined)} data-testid="inspector-more-runs">
            Show older runs
          </button>
        ) : (
          <p className="muted small">The newest {RUNS_MAX} runs are shown.</p>
        )
      ) : null}
      {!run ? <p className="muted">This user has not entered this journey.</p> : null}
      {run ? (
        <>
          <div className="run-summary" data-testid="run-summary" data-run-status={run.status}>
            <StatusPill status={run.status} />
            <span>
              Version {run.version} · started {relativeTime(run.startedAt)}
            </span>
          </div>
          {current ? (
            <div className="current-box" data-testid="inspector-current">
              <strong>Now at {labelOfType(current.type ?? '')}</strong>
              <span>{canvasKind(current.type)?.summary(current.data, { webhooks }) ?? ''}</span>
              {run.waitingUntil ? (
                <span>
                  until <strong>{clockTime(run.waitingUntil)}</strong> ({relativeTime(run.waitingUntil)})
                </span>
              ) : null}
            </div>
          ) : null}
          <ol className="timeline" data-testid="timeline">
            {run.history.map((h, i) => (
              <TimelineItem key={i} item={h} node={nodeOf(h.nodeId)} onSelect={() => editor.selectOnly(h.nodeId)} />
            ))}
          </ol>
        </>
      ) : null}
      <p className="muted small">The canvas shows this run: visited steps and the connections it took are highlighted. It refreshes on its own.</p>
    </div>
  )
}

const KIND_LABELS = {
  entered: 'Entered',
  event: 'Event',
  timeout: 'Timed out',
  branch: 'Branched',
  message: 'Message sent',
  webhook: 'Webhook',
  completed: 'Completed',
  exited: 'Exited',
  migrated: 'Moved to a new version',
} as const satisfies Record<HistoryItem['kind'], string>

/** What stopped a message or webhook: a rule held it until a time, or skipped it. */
const OUTCOME_LABELS = {
  message: { held: 'Message held', skipped: 'Message skipped' },
  webhook: { held: 'Webhook held', skipped: 'Webhook skipped' },
} as const

function labelOf(item: HistoryItem): string {
  const status = item.detail?.status
  if ((item.kind === 'message' || item.kind === 'webhook') && (status === 'held' || status === 'skipped')) return OUTCOME_LABELS[item.kind][status]
  return KIND_LABELS[item.kind]
}

/** The release time of a held message or webhook (quiet hours), when the item is one. */
function heldUntil(item: HistoryItem): string | null {
  const until = item.detail?.until
  return item.detail?.status === 'held' && typeof until === 'string' ? until : null
}

function TimelineItem({ item, node, onSelect }: { item: HistoryItem; node: FlowNode | undefined; onSelect: () => void }): ReactElement {
  const until = heldUntil(item)
  // The release time is shown in the reader's own clock below, not as the raw ISO string.
  const facts = describeDetail(item.detail).filter(([k]) => until === null || k !== 'until')
  return (
    <li className={`tl tl-${item.kind}`} data-testid="timeline-item" data-kind={item.kind} data-node-id={item.nodeId} data-outlet={item.outlet ?? undefined} data-status={typeof item.detail?.status === 'string' ? item.detail.status : undefined}>
      <span className="tl-dot" />
      <div className="tl-main">
        <div className="tl-head">
          <strong>{labelOf(item)}</strong>
          <button type="button" className="link-btn small" onClick={onSelect}>
            {labelOfType(node?.type)} <span className="mono">{item.nodeId}</span>
          </button>
          <span className="muted small tl-time">{clockTime(item.at)}</span>
        </div>
        {item.outlet ? (
          <div className="small">
            left by <span className={`outlet-chip tone-${outletTone(node, item.outlet)}`}>{node ? outletLabel(node, item.outlet) : item.outlet}</span>
          </div>
        ) : null}
        {until !== null ? (
          <div className="small" data-testid="timeline-held-until" data-until={until}>
            held until <strong>{dateTime(until)}</strong> ({relativeTime(until)})
          </div>
        ) : null}
        {item.messageId ? (
          <div className="small">
            message <span className="mono" data-testid="timeline-message-id">{item.messageId}</span>
          </div>
        ) : null}
        {facts.length > 0 ? (
          <dl className="tl-facts">
            {facts.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd className="mono">{v}</dd>
              </div>
            ))}
          </dl>
        ) : null}
      </div>
    </li>
  )
}

/** The detail of a history item as short key/value lines: event, condition values, webhook attempt, reason. */
export function describeDetail(detail: Record<string, unknown> | null): [string, string][] {
  if (!detail) return []
  const out: [string, string][] = []
  for (const [k, v] of Object.entries(detail)) {
    if (v === undefined || v === null) continue
    const text = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)
    out.push([k, text.length > 160 ? `${text.slice(0, 157)}…` : text])
  }
  return out.slice(0, 12)
}
