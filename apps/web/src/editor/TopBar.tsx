import { useState, type ReactElement } from 'react'
import { api } from '../api/endpoints'
import { errorMessage } from '../api/client'
import { Link } from '../ui/Link'
import { Icon } from '../ui/icons'
import { StatusPill } from '../ui/StatusPill'
import { plural } from '../ui/format'
import { flushSave } from './autosave'
import { editor, notify, useEditor } from './store'

const SAVE_LABELS = { saved: 'All changes saved', saving: 'Saving…', dirty: 'Unsaved changes', error: 'Not saved' } as const

export function TopBar({ journeyId, onPublish, onHelp }: { journeyId: string; onPublish: () => void; onHelp: () => void }): ReactElement {
  const name = useEditor((s) => s.name)
  const journey = useEditor((s) => s.journey)
  const saveState = useEditor((s) => s.saveState)
  const saveError = useEditor((s) => s.saveError)
  const issueCount = useEditor((s) => s.issues.all.length)
  const goal = useEditor((s) => s.settings.goal)
  const summary = useEditor((s) => s.stats?.journey)
  const [busy, setBusy] = useState(false)

  const toggle = async () => {
    if (!journey) return
    setBusy(true)
    try {
      const next = journey.status === 'paused' ? await api.resume(journeyId) : await api.pause(journeyId)
      editor.setJourney({ ...journey, status: next.status, activeUsers: next.activeUsers })
    } catch (e) {
      notify(errorMessage(e))
    }
    setBusy(false)
  }

  return (
    <header className="editor-top">
      <Link to="/" className="back" testId="back-to-list">
        <Icon name="back" /> Journeys
      </Link>
      <span className="top-sep" />
      <input className="title-input" style={{ width: `calc(${Math.max(name.length, 10) + 2}ch)` }} value={name} onChange={(e) => editor.setName(e.target.value)} aria-label="Journey name" data-testid="journey-name" maxLength={200} />
      {journey ? <StatusPill status={journey.status} /> : null}
      {journey ? (
        <span className="top-meta" data-testid="journey-version">
          {journey.version === null ? 'Never published' : `v${journey.version}`}
          {journey.version !== null && journey.hasUnpublishedChanges ? ' · draft changed' : ''}
          {journey.version !== null ? ` · ${plural(journey.activeUsers, 'user')} in it` : ''}
        </span>
      ) : null}
      {goal && summary ? (
        <span className="top-goal" data-testid="goal-conversions" title={`Users who did “${goal.event}” after entering`}>
          Goal <strong>{goal.event}</strong>: <strong data-testid="goal-converted">{summary.converted.toLocaleString()}</strong> converted
          {summary.entered > 0 ? ` (${Math.round((summary.converted / summary.entered) * 100)}%)` : ''}
        </span>
      ) : null}
      <span className="grow" />
      <span className={`save-state ${saveState}`} data-testid="save-state" data-state={saveState} title={saveError ?? undefined}>
        {saveState === 'saved' ? <Icon name="check" size={14} /> : null}
        {SAVE_LABELS[saveState]}
        {saveState === 'error' ? (
          <button type="button" className="link-btn" onClick={() => void flushSave(journeyId)}>
            Retry
          </button>
        ) : null}
      </span>
      <button type="button" className="icon-btn" onClick={onHelp} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">
        <Icon name="keyboard" />
      </button>
      {journey && journey.version !== null ? (
        <button type="button" className="btn" onClick={() => void toggle()} disabled={busy} data-testid="pause-toggle">
          <Icon name={journey.status === 'paused' ? 'play' : 'pause'} /> {journey.status === 'paused' ? 'Resume' : 'Pause'}
        </button>
      ) : null}
      <button type="button" className="btn primary" onClick={onPublish} data-testid="publish" title={issueCount > 0 ? plural(issueCount, 'problem') + ' to fix' : 'Publish a new version'}>
        Publish{issueCount > 0 ? <span className="btn-badge">{issueCount}</span> : null}
      </button>
    </header>
  )
}
