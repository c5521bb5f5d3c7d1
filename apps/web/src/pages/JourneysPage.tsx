import { useState, type ReactElement } from 'react'
import type { Journey } from '@switchyard/schema'
import { api } from '../api/endpoints'
import { useRemoteList } from '../api/useRemoteList'
import { ApiError, errorMessage } from '../api/client'
import { navigate } from '../router'
import { Modal } from '../ui/Modal'
import { PageHead } from '../ui/PageHead'
import { Icon } from '../ui/icons'
import { plural, relativeTime } from '../ui/format'
import { StatusPill } from '../ui/StatusPill'
import { TEMPLATES } from './templates'

type Dialog = { kind: 'create' } | { kind: 'rename'; journey: Journey } | { kind: 'delete'; journey: Journey; activeUsers: number | null } | null

export function JourneysPage(): ReactElement {
  const { items: journeys, error, setError, reload } = useRemoteList(api.listJourneys, { refreshMs: 5000 })
  const [dialog, setDialog] = useState<Dialog>(null)

  const duplicate = async (j: Journey) => {
    try {
      await api.duplicateJourney(j.id)
      reload()
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  return (
    <div className="page-inner" data-testid="journeys-page">
      <PageHead
        title="Journeys"
        description="Each journey reacts to what a user does: it sends messages, waits for their reaction and calls your systems."
        action={
          <button type="button" className="btn primary" onClick={() => setDialog({ kind: 'create' })} data-testid="new-journey">
            <Icon name="plus" /> New journey
          </button>
        }
      />
      {error ? <div className="banner error">{error}</div> : null}
      {journeys === null && !error ? <div className="skeleton-table" /> : null}
      {journeys !== null && journeys.length === 0 ? <EmptyJourneys onCreate={() => setDialog({ kind: 'create' })} /> : null}
      {journeys !== null && journeys.length > 0 ? (
        <table className="table" data-testid="journeys-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Version</th>
              <th className="num">Active users</th>
              <th>Updated</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {journeys.map((j) => (
              <tr key={j.id} data-testid="journey-row" data-journey-id={j.id} onClick={() => navigate(`/journeys/${encodeURIComponent(j.id)}`)} className="clickable">
                <td>
                  <span className="strong">{j.name}</span>
                  <span className="sub">{plural(j.graph.nodes.length, 'step')}</span>
                </td>
                <td>
                  <StatusPill status={j.status} />
                </td>
                <td>
                  {j.version === null ? <span className="muted">Not published</span> : `v${j.version}`}
                  {j.version !== null && j.hasUnpublishedChanges ? <span className="sub">Unpublished changes</span> : null}
                </td>
                <td className="num" data-testid="journey-active-users">
                  {j.activeUsers.toLocaleString()}
                </td>
                <td className="muted">{relativeTime(j.updatedAt)}</td>
                <td className="actions" onClick={(e) => e.stopPropagation()}>
                  <button type="button" className="btn ghost small" onClick={() => setDialog({ kind: 'rename', journey: j })} data-testid="rename-journey">
                    Rename
                  </button>
                  <button type="button" className="btn ghost small" onClick={() => void duplicate(j)} data-testid="duplicate-journey">
                    Duplicate
                  </button>
                  <button type="button" className="btn ghost small danger" onClick={() => setDialog({ kind: 'delete', journey: j, activeUsers: null })} data-testid="delete-journey">
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {dialog?.kind === 'create' ? <CreateDialog onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'rename' ? (
        <RenameDialog
          journey={dialog.journey}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null)
            reload()
          }}
        />
      ) : null}
      {dialog?.kind === 'delete' ? (
        <DeleteDialog
          journey={dialog.journey}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null)
            reload()
          }}
        />
      ) : null}
    </div>
  )
}

function EmptyJourneys({ onCreate }: { onCreate: () => void }): ReactElement {
  return (
    <div className="empty-state" data-testid="journeys-empty">
      <h2>Build your first journey</h2>
      <p className="muted">A journey follows each user from an event they perform to the messages and calls you want to happen next.</p>
      <ol className="steps">
        <li>
          <strong>Connect your systems.</strong> Add the <a href="/settings/webhooks">webhooks</a> your journeys will call, such as your CRM or call centre.
        </li>
        <li>
          <strong>Draw the journey.</strong> Drag a trigger, messages, waits and webhooks onto the canvas and connect them.
        </li>
        <li>
          <strong>Publish and send events.</strong> Point your Segment or RudderStack source at this server, or post to <code>/v1/track</code>.
        </li>
      </ol>
      <pre className="code">{`curl -X POST ${window.location.origin}/v1/track \\
  -H 'content-type: application/json' \\
  -d '{"userId":"user-42","event":"add_to_cart"}'`}</pre>
      <button type="button" className="btn primary" onClick={onCreate}>
        <Icon name="plus" /> Create a journey
      </button>
    </div>
  )
}

function CreateDialog({ onClose }: { onClose: () => void }): ReactElement {
  const [name, setName] = useState('')
  const [template, setTemplate] = useState(0)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async () => {
    const t = TEMPLATES[template]
    if (!name.trim() || !t) return
    setBusy(true)
    try {
      const j = await api.createJourney({ name: name.trim(), graph: t.graph, settings: { reentry: 'afterExit' } })
      navigate(`/journeys/${encodeURIComponent(j.id)}`)
    } catch (e) {
      setError(errorMessage(e))
      setBusy(false)
    }
  }
  return (
    <Modal title="New journey" onClose={onClose} testId="create-journey-dialog">
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <label className="field">
          <span>Name</span>
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="Cart abandoners" data-testid="journey-name-input" maxLength={200} />
        </label>
        <div className="field">
          <span>Start from</span>
          <div className="choice-list">
            {TEMPLATES.map((t, i) => (
              <label key={t.name} className={i === template ? 'choice selected' : 'choice'}>
                <input type="radio" name="template" checked={i === template} onChange={() => setTemplate(i)} />
                <span>
                  <strong>{t.name}</strong>
                  <span className="muted">{t.description}</span>
                </span>
              </label>
            ))}
          </div>
        </div>
        {error ? <div className="banner error">{error}</div> : null}
        <div className="row end">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={!name.trim() || busy} data-testid="create-journey-submit">
            Create journey
          </button>
        </div>
      </form>
    </Modal>
  )
}

function RenameDialog({ journey, onClose, onDone }: { journey: Journey; onClose: () => void; onDone: () => void }): ReactElement {
  const [name, setName] = useState(journey.name)
  const [error, setError] = useState<string | null>(null)
  const submit = async () => {
    try {
      await api.saveJourney(journey.id, { name: name.trim() })
      onDone()
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  return (
    <Modal title="Rename journey" onClose={onClose} testId="rename-dialog">
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <label className="field">
          <span>Name</span>
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} data-testid="rename-input" maxLength={200} />
        </label>
        {error ? <div className="banner error">{error}</div> : null}
        <div className="row end">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={!name.trim()} data-testid="rename-submit">
            Rename
          </button>
        </div>
      </form>
    </Modal>
  )
}

function DeleteDialog({ journey, onClose, onDone }: { journey: Journey; onClose: () => void; onDone: () => void }): ReactElement {
  const [needsExit, setNeedsExit] = useState(journey.activeUsers > 0)
  const [error, setError] = useState<string | null>(null)
  const submit = async () => {
    try {
      await api.deleteJourney(journey.id, needsExit)
      onDone()
    } catch (e) {
      if (e instanceof ApiError && e.code === 'journey.has_active_users') setNeedsExit(true)
      else setError(errorMessage(e))
    }
  }
  return (
    <Modal
      title={`Delete “${journey.name}”?`}
      onClose={onClose}
      testId="delete-dialog"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn danger-solid" onClick={() => void submit()} data-testid="delete-confirm">
            {needsExit ? 'Exit users and delete' : 'Delete journey'}
          </button>
        </>
      }
    >
      <p>The journey, its versions and its history are removed. This cannot be undone.</p>
      {needsExit ? (
        <div className="banner warn">
          {journey.activeUsers > 0 ? plural(journey.activeUsers, 'user is', 'users are') : 'Users are'} still in this journey. Deleting it exits them where they are:
          they get no further messages or webhooks from it.
        </div>
      ) : null}
      {error ? <div className="banner error">{error}</div> : null}
    </Modal>
  )
}
