import { useEffect, useMemo, useState, type ReactElement } from 'react'
import type { MigratePolicy, PublishPreview } from '@switchyard/schema'
import { api } from '../../api/endpoints'
import { errorMessage } from '../../api/client'
import { plural } from '../../ui/format'
import { useEditor } from '../store'

/** Steps a run can wait at, and so be moved to. */
const WAITING_TYPES = new Set(['waitForEvent', 'delay'])

/**
 * What a re-publish does to users already in the journey: the diff against the live version, the
 * users waiting at each step of each older version, and the choice to keep them on their version
 * or move them (to the same step, or a mapped one for a renamed step), with what happens to users
 * at removed steps. Every change asks the server's preview again, so what is shown is what publish does.
 */
export function MigrationChoice({ journeyId, onChange }: { journeyId: string; onChange: (migrate: MigratePolicy) => void }): ReactElement {
  const [migrate, setMigrate] = useState<MigratePolicy>({ policy: 'keep', onRemoved: 'keep' })
  const [preview, setPreview] = useState<PublishPreview | null>(null)
  const [error, setError] = useState<string | null>(null)
  const nodes = useEditor((s) => s.nodes)
  const targets = useMemo(() => nodes.filter((n) => WAITING_TYPES.has(n.type ?? '')).map((n) => n.id), [nodes])

  useEffect(() => {
    let cancelled = false
    onChange(migrate)
    api.publishPreview(journeyId, migrate).then(
      (p) => {
        if (cancelled) return
        setPreview(p)
        setError(null)
      },
      (e: unknown) => !cancelled && setError(errorMessage(e)),
    )
    return () => {
      cancelled = true
    }
  }, [journeyId, migrate, onChange])

  const waiting = preview?.waiting ?? []
  const total = waiting.reduce((n, g) => n + g.users, 0)
  const setMap = (from: string, to: string) => {
    const map = { ...(migrate.map ?? {}) }
    if (to === '') delete map[from]
    else map[from] = to
    setMigrate({ ...migrate, map })
  }
  const diff = preview?.diff
  return (
    <div className="stack" data-testid="publish-migration">
      {diff ? (
        <p className="small" data-testid="publish-diff">
          Since the live version: {diff.added.length + diff.removed.length + diff.changed.length === 0 ? 'no step changed.' : null}
          {diff.added.length > 0 ? <> added {diff.added.join(', ')}.</> : null}
          {diff.removed.length > 0 ? <> removed {diff.removed.join(', ')}.</> : null}
          {diff.changed.length > 0 ? <> changed {diff.changed.join(', ')}.</> : null}
        </p>
      ) : null}
      {total === 0 ? (
        <div className="banner info" data-testid="publish-users-note">
          No user is in the journey now, so nobody stays on an older version.
        </div>
      ) : (
        <>
          <div className="banner info" data-testid="publish-users-note">
            <strong>{plural(total, 'user is', 'users are')} in the journey now.</strong> Keep them on the version they started on, or move them to the new one
            at the same step, keeping when their wait ends.
          </div>
          <div className="row">
            <label className="radio">
              <input type="radio" name="policy" checked={migrate.policy === 'keep'} onChange={() => setMigrate({ ...migrate, policy: 'keep' })} data-testid="migrate-keep" /> Keep them on their version
            </label>
            <label className="radio">
              <input type="radio" name="policy" checked={migrate.policy === 'move'} onChange={() => setMigrate({ ...migrate, policy: 'move' })} data-testid="migrate-move" /> Move them to the new version
            </label>
          </div>
          <table className="table compact" data-testid="publish-waiting">
            <thead>
              <tr>
                <th>Version</th>
                <th>Waiting at</th>
                <th className="num">Users</th>
                <th>{migrate.policy === 'move' ? 'Goes to' : 'Then'}</th>
              </tr>
            </thead>
            <tbody>
              {waiting.map((g) => (
                <tr key={`${g.version}:${g.nodeId}`} data-testid="waiting-group" data-node-id={g.nodeId} data-users={g.users} data-action={g.action}>
                  <td>v{g.version}</td>
                  <td className="mono">{g.nodeId}</td>
                  <td className="num">{g.users}</td>
                  <td>
                    {migrate.policy === 'move' ? (
                      <select value={migrate.map?.[g.nodeId] ?? ''} onChange={(e) => setMap(g.nodeId, e.target.value)} aria-label={`Where users at ${g.nodeId} go`} data-testid={`map-${g.nodeId}`}>
                        <option value="">{g.to === null ? 'removed: choose a step' : g.to === g.nodeId ? 'same step' : g.to}</option>
                        {targets.map((t) => (
                          <option key={t} value={t}>
                            {t}
                          </option>
                        ))}
                      </select>
                    ) : (
                      'stay on v' + g.version
                    )}{' '}
                    <span className="small muted">{g.action === 'exit' ? '(exit)' : g.action === 'keep' && migrate.policy === 'move' ? '(stay)' : ''}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {migrate.policy === 'move' && waiting.some((g) => g.to === null) ? (
            <label className="field">
              <span>Users at removed steps</span>
              <select value={migrate.onRemoved} onChange={(e) => setMigrate({ ...migrate, onRemoved: e.target.value === 'exit' ? 'exit' : 'keep' })} data-testid="migrate-on-removed">
                <option value="keep">stay on their version</option>
                <option value="exit">exit the journey</option>
              </select>
            </label>
          ) : null}
        </>
      )}
      {error ? <div className="banner error small" data-testid="publish-migration-error">{error}</div> : null}
    </div>
  )
}
