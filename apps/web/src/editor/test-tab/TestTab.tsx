import { useEffect, useState, type ReactElement } from 'react'
import type { RunView, SimulatedUserPath } from '@switchyard/schema'
import { api } from '../../api/endpoints'
import { ApiError, errorMessage } from '../../api/client'
import { IssuesAnswer } from '../../api/schemas'
import { readString } from '../../flow/nodeData'
import { plural } from '../../ui/format'
import { pathOfRun } from '../paths'
import { setPreviewUser } from '../preview-user'
import { currentDraft, editor, useEditor } from '../store'
import { BacktestPanel } from './BacktestPanel'
import { EffectList } from './EffectList'
import { parseScript } from './script'
import { testTab, UNTIL, useTestTab, type TestUser } from './test-tab-state'

/** A simulated user's path as a run, so the canvas draws it as it draws an inspected one. */
function asRun(u: SimulatedUserPath): RunView {
  const last = u.path.at(-1)
  return {
    runId: 'simulation',
    version: 0,
    status: u.waitingAt ? 'active' : last?.kind === 'exited' ? 'exited' : 'completed',
    currentNodeId: u.waitingAt ?? last?.nodeId ?? null,
    waitingUntil: null,
    startedAt: u.path[0]?.at ?? '',
    endedAt: u.endedAt ?? null,
    history: u.path,
  }
}

/**
 * The Test tab: test users with their traits and a script of events at times after the start
 * ("+2d: opened"), run on the server's virtual clock against the draft as it is on the canvas,
 * published or not. Nothing live is touched: no event is stored, nothing is sent or counted.
 */
export function TestTab({ journeyId }: { journeyId: string }): ReactElement {
  const triggerEvent = useEditor((s) => {
    const t = s.nodes.find((n) => n.type === 'trigger')
    return t ? readString(t.data, 'event') : ''
  })
  useEffect(() => testTab.open(journeyId), [journeyId])
  const { users, until, answer, shown, traitsOf, error } = useTestTab()
  const script = useTestTab((s) => s.script) ?? `+0s: ${triggerEvent || 'add_to_cart'}`
  const [running, setRunning] = useState(false)
  const setError = (e: string | null) => testTab.set({ error: e })

  const draw = (u: SimulatedUserPath | undefined, traits: Record<string, unknown> = {}) => {
    testTab.set({ shown: u?.userId ?? null })
    // Message previews on the Step tab now render with this user's test traits.
    setPreviewUser(u ? { userId: u.userId, traits, source: 'simulated' } : null)
    const s = useEditor.getState()
    editor.showPath(u ? pathOfRun(asRun(u), s.nodes, s.edges) : null)
  }

  const run = async () => {
    setError(null)
    const parsedUsers: { userId: string; traits: Record<string, unknown> }[] = []
    for (const u of users) {
      try {
        const t: unknown = u.traits.trim() === '' ? {} : JSON.parse(u.traits)
        if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new Error('not an object')
        parsedUsers.push({ userId: u.userId.trim(), traits: Object.fromEntries(Object.entries(t)) })
      } catch {
        setError(`The traits of ${u.userId || 'a user'} must be a JSON object, such as {"FIRSTNAME": "Asha"}.`)
        return
      }
    }
    const lines = parseScript(script, parsedUsers[0]?.userId ?? 'test-user-1')
    const bad = lines.find((l) => !l.ok)
    if (bad && !bad.ok) {
      setError(bad.message)
      return
    }
    const draft = currentDraft()
    setRunning(true)
    try {
      const result = await api.simulate(journeyId, { graph: draft.graph, settings: draft.settings, users: parsedUsers, events: lines.flatMap((l) => (l.ok ? [l.event] : [])), until })
      testTab.set({ answer: result, traitsOf: Object.fromEntries(parsedUsers.map((u) => [u.userId, u.traits])) })
      draw(result.users[0], parsedUsers.find((u) => u.userId === result.users[0]?.userId)?.traits)
    } catch (e) {
      const issues = e instanceof ApiError && e.status === 422 ? IssuesAnswer.safeParse(e.body) : null
      if (issues?.success) {
        editor.showIssues(issues.data.issues)
        setError(`${plural(issues.data.issues.length, 'problem')} to fix before the draft can run. Each is marked on its step.`)
      } else setError(errorMessage(e))
    } finally {
      setRunning(false)
    }
  }

  const update = (i: number, patch: Partial<TestUser>) => testTab.updateUsers((list) => list.map((u, k) => (k === i ? { ...u, ...patch } : u)))

  return (
    <div className="stack" data-testid="test-panel">
      <p className="small muted">Runs the draft as it is on the canvas on a simulated clock. Nothing is sent, stored or counted.</p>
      {users.map((u, i) => (
        <div key={i} className="stack tight" data-testid="test-user-row">
          <div className="row">
            <input className="mono" value={u.userId} onChange={(e) => update(i, { userId: e.target.value })} aria-label="User id" data-testid="test-user" />
            {users.length > 1 ? (
              <button type="button" className="btn small" onClick={() => testTab.updateUsers((l) => l.filter((_, k) => k !== i))}>
                Remove
              </button>
            ) : null}
          </div>
          <textarea className="mono small" rows={3} value={u.traits} onChange={(e) => update(i, { traits: e.target.value })} aria-label={`Traits of ${u.userId}`} data-testid="test-traits" />
        </div>
      ))}
      <button type="button" className="btn small" onClick={() => testTab.updateUsers((l) => [...l, { userId: `test-user-${l.length + 1}`, traits: '{}' }])} data-testid="test-add-user">
        Add a user
      </button>
      <label className="field">
        <span>Events, one a line: “+2d: opened”, “ben +1h: purchase {'{"sku": "A-1"}'}”</span>
        <textarea className="mono small" rows={5} value={script} onChange={(e) => testTab.set({ script: e.target.value })} data-testid="test-script" />
      </label>
      <div className="row">
        <label className="field">
          <span>Run until</span>
          <select value={until} onChange={(e) => testTab.set({ until: UNTIL.find((u) => u === e.target.value) ?? '+30d' })} data-testid="test-until">
            {UNTIL.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn primary" onClick={() => void run()} disabled={running} data-testid="test-simulate">
          {running ? 'Simulating…' : 'Simulate'}
        </button>
      </div>
      {error ? <div className="banner error small" data-testid="test-error">{error}</div> : null}
      {answer ? (
        <div className="stack" data-testid="sim-result">
          {answer.users.map((u) => (
            <div key={u.userId} className={`test-run${shown === u.userId ? ' on' : ''}`}>
              <button type="button" className="link-btn" onClick={() => draw(u, traitsOf[u.userId])} data-testid="sim-user" data-user-id={u.userId}>
                <strong className="mono">{u.userId}</strong>{' '}
                {u.waitingAt ? `waits at ${u.waitingAt}` : u.endedAt ? `finished ${new Date(u.endedAt).toLocaleString()}` : 'did not enter'}
              </button>
              {shown === u.userId ? (
                <ol className="sim-steps small">
                  {u.path
                    .filter((h) => h.outlet !== null || !['message', 'webhook'].includes(h.kind))
                    .map((h, k) => (
                      <li key={k} data-testid="sim-step" data-kind={h.kind} data-node-id={h.nodeId}>
                        <span className="mono">{new Date(h.at).toLocaleString()}</span> {h.kind} <span className="mono">{h.nodeId}</span>
                        {h.outlet ? ` → ${h.outlet}` : ''}
                      </li>
                    ))}
                </ol>
              ) : null}
            </div>
          ))}
          <EffectList effects={answer.effects} users={users} />
        </div>
      ) : null}
      <BacktestPanel journeyId={journeyId} />
    </div>
  )
}
