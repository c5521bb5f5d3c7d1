import type { ReactElement } from 'react'
import { REENTRY_POLICIES, Reentry, type JourneySettings } from '@switchyard/schema'
import { editor, SAMPLE_DATA, useEditor } from '../store'
import { DurationField } from './DurationField'
import { EventInput } from './fields'

const REENTRY_LABELS = {
  never: 'Once per user, ever',
  afterExit: 'Again after their previous run ended',
  always: 'Every time the trigger happens',
} as const satisfies Record<Reentry, string>

export function JourneyPanel(): ReactElement {
  const settings = useEditor((s) => s.settings)
  const sample = useEditor((s) => s.sampleData)
  const issues = useEditor((s) => s.issues.all)
  const nodes = useEditor((s) => s.nodes)
  const sampleValid = (() => {
    try {
      JSON.parse(sample)
      return true
    } catch {
      return false
    }
  })()
  return (
    <div className="stack" data-testid="journey-panel">
      <section className="stack">
        <h4>Entry</h4>
        <label className="field">
          <span>A user may enter</span>
          <select
            value={settings.reentry}
            onChange={(e) => {
              const r = Reentry.safeParse(e.target.value)
              if (r.success) editor.setSettings({ ...settings, reentry: r.data })
            }}
            data-testid="field-reentry"
          >
            {REENTRY_POLICIES.map((r) => (
              <option key={r} value={r}>
                {REENTRY_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Exit events</span>
          <input
            className="mono"
            value={(settings.exitEvents ?? []).join(', ')}
            onChange={(e) => {
              const events = e.target.value
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
              const next = { ...settings }
              if (events.length) next.exitEvents = events
              else delete next.exitEvents
              editor.setSettings(next)
            }}
            placeholder="order_completed, unsubscribed"
          />
          <small className="muted">Any of these events takes a user out of the journey wherever they are.</small>
        </label>
      </section>
      <GoalSection settings={settings} />
      <section className="stack">
        <h4>Checks</h4>
        {nodes.length === 0 ? (
          <p className="muted">Add a trigger to start.</p>
        ) : issues.length === 0 ? (
          <p className="ok-text" data-testid="no-issues">
            Ready to publish: no problems found.
          </p>
        ) : (
          <ul className="issue-list" data-testid="issue-list">
            {issues.map((i, k) => (
              <li key={k}>
                <button type="button" className="link-btn" onClick={() => (i.nodeId ? editor.selectOnly(i.nodeId) : undefined)}>
                  {i.message}
                </button>
                {i.nodeId ? <span className="mono muted small"> {i.nodeId}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="stack">
        <h4>Preview data</h4>
        <p className="muted small">Liquid fields preview against this user and event, or against the user open in the inspector.</p>
        <textarea className="mono small" rows={9} value={sample} onChange={(e) => editor.setSampleData(e.target.value)} data-testid="sample-data" />
        {!sampleValid ? <small className="error-text">This is not valid JSON.</small> : null}
        {sample !== SAMPLE_DATA ? (
          <button type="button" className="link-btn" onClick={() => editor.setSampleData(SAMPLE_DATA)}>
            Reset sample data
          </button>
        ) : null}
      </section>
    </div>
  )
}

/** The journey's conversion goal: what the stats count as converted, and what a split's winner rule compares. */
function GoalSection({ settings }: { settings: JourneySettings }): ReactElement {
  const goal = settings.goal
  const setGoal = (next: JourneySettings['goal']) => {
    const out = { ...settings }
    if (next) out.goal = next
    else delete out.goal
    editor.setSettings(out)
  }
  return (
    <section className="stack" data-testid="goal-section">
      <h4>Goal</h4>
      <label className="check">
        <input type="checkbox" checked={goal !== undefined} onChange={(e) => setGoal(e.target.checked ? { event: 'order_completed', within: { amount: 3, unit: 'days' } } : undefined)} data-testid="goal-toggle" />
        Count users who reach a goal
      </label>
      {goal ? (
        <>
          <EventInput label="Goal event" value={goal.event} onChange={(event) => setGoal({ ...goal, event })} testId="field-goal-event" />
          <DurationField label="Within" value={goal.within} onChange={(within) => setGoal({ ...goal, within })} testId="field-goal-within" hint="Counted from when the user entered the journey." />
        </>
      ) : null}
      <small className="muted">Conversions show in the stats; a split’s winner rule picks the branch whose users convert best.</small>
    </section>
  )
}
