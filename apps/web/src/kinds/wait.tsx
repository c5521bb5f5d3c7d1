import type { ReactElement } from 'react'
import { ACTIVITY_STATUSES, CHANNEL_LABELS, formatDuration, statusesOf, type Duration } from '@switchyard/schema'
import { useShallow } from 'zustand/react/shallow'
import { nearestPrecedingAction, type PrecedingAction } from '../flow/preceding'
import { readCondition, readDuration, readStatus, readString, waitMode } from '../flow/nodeData'
import type { NodeData } from '../flow/types'
import { useEditor } from '../editor/store'
import { DurationField } from '../editor/panel/DurationField'
import { EventInput, OptionalCondition, withOptional, type FormProps } from '../editor/panel/fields'
import type { CanvasKind } from './kind'

const NO_PRECEDING: PrecedingAction = { nodeId: '', channel: null }

function WaitForm({ node, set }: FormProps): ReactElement {
  const d = node.data
  const mode = waitMode(d)
  const preceding = useEditor(useShallow((s) => nearestPrecedingAction(s, node.id) ?? NO_PRECEDING))
  const status = readStatus(d)
  const statuses = preceding.channel ? statusesOf(preceding.channel) : ACTIVITY_STATUSES
  const invalid = status !== null && preceding.channel !== null && !statuses.includes(status)
  const within = readDuration(d, 'within')
  const base = (extra: NodeData): NodeData => {
    const keep: NodeData = { within: d.within ?? { amount: 1, unit: 'days' } }
    if (d.where !== undefined) keep.where = d.where
    return { ...keep, ...extra }
  }
  return (
    <div className="stack">
      <div className="field">
        <span>Wait for</span>
        <div className="segmented" role="radiogroup">
          <button type="button" className={mode === 'activity' ? 'on' : ''} onClick={() => set(base({ activity: { status: status ?? 'clicked' } }), 'mode')} data-testid="wait-mode-activity">
            Message activity
          </button>
          <button type="button" className={mode === 'event' ? 'on' : ''} onClick={() => set(base({ event: readString(d, 'event') }), 'mode')} data-testid="wait-mode-event">
            An event
          </button>
        </div>
      </div>
      {mode === 'activity' ? (
        <label className="field">
          <span>Activity</span>
          <select
            value={status ?? ''}
            onChange={(e) => {
              const s = statuses.find((x) => x === e.target.value)
              if (s) set({ ...d, activity: { status: s } }, 'status')
            }}
            data-testid="field-status"
          >
            {status === null || invalid ? <option value={status ?? ''}>{status ? `${status} (not reported by this channel)` : 'Choose'}</option> : null}
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          {preceding.nodeId ? (
            <small className="muted" data-testid="wait-channel-hint">
              Of the {preceding.channel ? CHANNEL_LABELS[preceding.channel] : ''} message sent by <span className="mono">{preceding.nodeId}</span>.
            </small>
          ) : (
            <small className="error-text">Connect a message step before this wait: it listens to that message’s activity.</small>
          )}
        </label>
      ) : (
        <EventInput label="Event" value={readString(d, 'event')} onChange={(v) => set({ ...d, event: v }, 'event')} testId="field-wait-event" />
      )}
      <DurationField
        label="Within"
        value={within}
        onChange={(v: Duration) => set({ ...d, within: v }, 'within')}
        testId="field-within"
        hint="Users who do not act in time leave by the timeout outlet."
      />
      <OptionalCondition label="Only when the event matches" value={readCondition(d, 'where')} onChange={(c) => set(withOptional(d, 'where', c), 'where')} testId="field-wait-where" />
    </div>
  )
}
export const waitForEventCanvas: CanvasKind<'waitForEvent'> = {
  type: 'waitForEvent',
  color: '#d97706',
  tint: '#fff6e8',
  idPrefix: 'wait',
  initialData: () => ({ activity: { status: 'clicked' }, within: { amount: 1, unit: 'days' } }),
  icon: 'M12 7v5l3 2M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z',
  hint: 'A reaction, or a timeout',
  inlet: true,
  waits: true,
  // Without the message it listens to, nothing else about the wait can be judged.
  urgentIssues: ['wait.no_preceding_action', 'wait.status_not_in_channel'],
  outletTone: (outlet) => (outlet === 'matched' ? 'good' : outlet === 'timeout' ? 'bad' : 'plain'),
  summary(data) {
    const within = readDuration(data, 'within')
    const what = waitMode(data) === 'event' ? readString(data, 'event') || 'an event' : `${readStatus(data) ?? 'activity'} on the message`
    return `${what}${within ? ` within ${formatDuration(within)}` : ''}`
  },
  Form: WaitForm,
}
