import { useEffect, useRef, useState, type ReactElement } from 'react'
import type { JourneyVersion, MigratePolicy } from '@switchyard/schema'
import { api } from '../api/endpoints'
import { ApiError, errorMessage } from '../api/client'
import { IssuesAnswer, type PublishAnswer } from '../api/schemas'
import { Modal } from '../ui/Modal'
import { plural } from '../ui/format'
import { flushSave } from './autosave'
import { editor, useEditor } from './store'
import { MigrationChoice } from './publish/MigrationChoice'
import { DeliveryWarnings } from './DeliveryWarnings'

type Phase = { kind: 'checking' } | { kind: 'ready'; versions: JourneyVersion[] } | { kind: 'publishing' } | { kind: 'done'; answer: PublishAnswer } | { kind: 'failed'; message: string }

/** Saves, shows what publishing will do to users already in the journey, publishes, shows the result. */
export function PublishDialog({ journeyId, onClose }: { journeyId: string; onClose: () => void }): ReactElement {
  const journey = useEditor((s) => s.journey)
  const issues = useEditor((s) => s.issues.all)
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' })
  // The choice of the migration panel, read when publishing; a ref, so choosing re-renders only the panel.
  const migrate = useRef<MigratePolicy | undefined>(undefined)
  const [chooseMigration] = useState(() => (m: MigratePolicy) => {
    migrate.current = m
  })

  useEffect(() => {
    let cancelled = false
    void (async () => {
      await flushSave(journeyId)
      const versions = await api.versions(journeyId).catch(() => [])
      if (!cancelled) setPhase({ kind: 'ready', versions })
    })()
    return () => {
      cancelled = true
    }
  }, [journeyId])

  const publish = async () => {
    setPhase({ kind: 'publishing' })
    try {
      const answer = await api.publish(journeyId, migrate.current)
      setPhase({ kind: 'done', answer })
      editor.showIssues([])
      const fresh = await api.getJourney(journeyId)
      const current = useEditor.getState().journey
      if (current) editor.setJourney({ ...current, status: fresh.status, version: fresh.version, activeUsers: fresh.activeUsers, hasUnpublishedChanges: fresh.hasUnpublishedChanges })
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) {
        const parsed = IssuesAnswer.safeParse(e.body)
        if (parsed.success) {
          editor.showIssues(parsed.data.issues)
          setPhase({ kind: 'failed', message: `${plural(parsed.data.issues.length, 'problem')} to fix before this journey can go live.` })
          return
        }
      }
      setPhase({ kind: 'failed', message: errorMessage(e) })
    }
  }

  const latest = journey?.version ?? null
  const next = (latest ?? 0) + 1
  const versions = phase.kind === 'ready' ? phase.versions : []
  const trigger = useEditor((s) => s.nodes.find((n) => n.type === 'trigger')?.data.event)

  return (
    <Modal
      title={phase.kind === 'done' ? `Version ${phase.answer.version} is live` : `Publish version ${next}`}
      onClose={onClose}
      testId="publish-dialog"
      footer={
        phase.kind === 'done' ? (
          <button type="button" className="btn primary" onClick={onClose} data-testid="publish-done">
            Done
          </button>
        ) : (
          <>
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button
              type="button"
              className="btn primary"
              onClick={() => void publish()}
              disabled={phase.kind !== 'ready' || issues.length > 0}
              data-testid="publish-confirm"
            >
              {phase.kind === 'publishing' ? 'Publishing…' : `Publish version ${next}`}
            </button>
          </>
        )
      }
    >
      {phase.kind === 'checking' ? <p className="muted">Saving the draft and checking it…</p> : null}
      {phase.kind !== 'done' ? <DeliveryWarnings /> : null}
      {phase.kind !== 'done' && phase.kind !== 'checking' && issues.length > 0 ? (
        <div className="stack">
          <div className="banner error" data-testid="publish-issues">
            {plural(issues.length, 'problem')} to fix before this journey can go live. Each is marked on its step.
          </div>
          <ul className="issue-list">
            {issues.map((i, k) => (
              <li key={k}>
                <button
                  type="button"
                  className="link-btn"
                  onClick={() => {
                    if (i.nodeId) editor.selectOnly(i.nodeId)
                    onClose()
                  }}
                >
                  {i.message}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {phase.kind === 'ready' && issues.length === 0 ? (
        <div className="stack" data-testid="publish-summary">
          <p>
            This creates <strong>version {next}</strong>, an immutable copy of the draft.{' '}
            {latest === null ? (
              <>Users who perform {typeof trigger === 'string' && trigger ? <code>{trigger}</code> : 'the trigger event'} from now on enter the journey.</>
            ) : (
              <>New users start on version {next}.</>
            )}
          </p>
          {latest !== null ? <MigrationChoice journeyId={journeyId} onChange={chooseMigration} /> : null}
          {versions.length > 0 ? (
            <table className="table compact">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Published</th>
                  <th className="num">Users in it</th>
                </tr>
              </thead>
              <tbody>
                {versions.slice(0, 5).map((v) => (
                  <tr key={v.version}>
                    <td>v{v.version}</td>
                    <td>{new Date(v.publishedAt).toLocaleString()}</td>
                    <td className="num">{v.activeUsers}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ) : null}
      {phase.kind === 'publishing' ? <p className="muted">Publishing…</p> : null}
      {phase.kind === 'failed' ? <div className="banner error">{phase.message}</div> : null}
      {phase.kind === 'done' ? (
        <div className="stack" data-testid="publish-result" data-version={phase.answer.version}>
          <p>
            Version <strong>{phase.answer.version}</strong> is live. Users who perform the trigger event now start on it.
          </p>
          {phase.answer.migrated && phase.answer.migrated.moved + phase.answer.migrated.exited > 0 ? (
            <div className="banner info" data-testid="publish-migrated">
              {plural(phase.answer.migrated.moved, 'user was', 'users were')} moved to version {phase.answer.version}
              {phase.answer.migrated.exited > 0 ? `, ${plural(phase.answer.migrated.exited, 'user', 'users')} at removed steps exited` : ''}.
            </div>
          ) : null}
          {phase.answer.activeUsersOnOlderVersions > 0 ? (
            <div className="banner info">
              {plural(phase.answer.activeUsersOnOlderVersions, 'user stays', 'users stay')} on the older version they started on until they finish.
            </div>
          ) : null}
        </div>
      ) : null}
    </Modal>
  )
}
