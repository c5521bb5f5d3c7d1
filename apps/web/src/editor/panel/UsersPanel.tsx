import { useEffect, useState, type ReactElement } from 'react'
import type { RunView } from '@switchyard/schema'
import { api } from '../../api/endpoints'
import { errorMessage } from '../../api/client'
import type { UserSummary } from '../../api/schemas'
import { canvasKind, labelOfType } from '../../kinds'
import { Timeline } from './Timeline'
import { dateTime, relativeTime } from '../../ui/format'
import { StatusPill } from '../../ui/StatusPill'
import { Icon } from '../../ui/icons'
import { inspectUser, showMoreRuns } from '../polling'
import { editor, RUNS_MAX, useEditor } from '../store'

/** The user inspector: find a user, pick a run, read every step it took. */
export function UsersPanel({ journeyId }: { journeyId: string }): ReactElement {
  const inspection = useEditor((s) => s.inspection)
  const at = useEditor((s) => s.usersAt)
  const atLabel = useEditor((s) => (s.usersAt ? (s.labels[s.usersAt] ?? '') : ''))
  const [query, setQuery] = useState('')
  const [users, setUsers] = useState<UserSummary[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let cancelled = false
    const t = setTimeout(() => {
      // The list API has no filter by step: the step's users are found among the latest ones.
      api.users(journeyId, query.trim(), at ? 500 : 20).then(
        (u) => {
          if (!cancelled) {
            setUsers(at ? u.filter((x) => x.status === 'active' && x.currentNodeId === at) : u)
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
  }, [journeyId, query, inspection?.userId, at])

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
      {at ? (
        <div className="users-at" data-testid="users-at" data-node-id={at}>
          Here now at <strong>{atLabel}</strong>
          <button type="button" className="link-btn small" onClick={() => editor.showUsersAt(null)} data-testid="users-at-clear">
            Show all
          </button>
        </div>
      ) : null}
      {users !== null && users.length === 0 ? (
        <p className="muted">{at ? 'Nobody is at this step now.' : query ? 'No user in this journey starts with that id.' : 'No user has entered this journey yet. Use the Test tab to send an event.'}</p>
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
  const labels = useEditor((s) => s.labels)
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
              <strong>Now at {labels[current.id] ?? labelOfType(current.type ?? '')}</strong>
              <span>{canvasKind(current.type)?.summary(current.data, { webhooks }) ?? ''}</span>
              {run.waitingUntil ? (
                <span>
                  until <strong>{dateTime(run.waitingUntil)}</strong> ({relativeTime(run.waitingUntil)})
                </span>
              ) : null}
            </div>
          ) : null}
          <Timeline history={run.history} nodes={nodes} />
        </>
      ) : null}
      <p className="muted small">The canvas shows this run: visited steps and the connections it took are highlighted. It refreshes on its own.</p>
    </div>
  )
}
