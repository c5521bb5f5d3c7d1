import type { ReactElement } from 'react'
import { formatDuration } from '@switchyard/schema'
import { delayMode, readDuration, readRecord } from '../flow/nodeData'
import { DurationField } from '../editor/panel/DurationField'
import { without, type FormProps } from '../editor/panel/fields'
import type { CanvasKind } from './kind'

function DelayForm({ node, set }: FormProps): ReactElement {
  const d = node.data
  const mode = delayMode(d)
  const until = readRecord(d, 'until')
  const offset = readDuration(until, 'offset')
  return (
    <div className="stack">
      <div className="segmented" role="radiogroup">
        <button type="button" className={mode === 'for' ? 'on' : ''} onClick={() => set({ for: readDuration(d, 'for') ?? { amount: 1, unit: 'hours' } }, 'mode')}>
          For a time
        </button>
        <button type="button" className={mode === 'until' ? 'on' : ''} onClick={() => set({ until: { path: 'user.traits.' } }, 'mode')}>
          Until a date
        </button>
      </div>
      {mode === 'for' ? (
        <DurationField label="Wait for" value={readDuration(d, 'for')} onChange={(v) => set({ for: v }, 'for')} testId="field-delay" />
      ) : (
        <>
          <label className="field">
            <span>Date property</span>
            <input className="mono" value={typeof until.path === 'string' ? until.path : ''} onChange={(e) => set({ until: { ...until, path: e.target.value } }, 'until.path')} placeholder="user.traits.renewal_date" data-testid="field-until-path" />
            <small className="muted">An ISO date-time in the event or the user profile.</small>
          </label>
          <label className="check">
            <input type="checkbox" checked={offset !== null} onChange={(e) => set({ until: e.target.checked ? { ...until, offset: { amount: 1, unit: 'days' } } : without(until, 'offset') }, 'until.offset')} />
            Plus an offset (negative for before)
          </label>
          {offset ? <DurationField label="Offset" value={offset} onChange={(v) => set({ until: { ...until, offset: v } }, 'until.offset')} testId="field-until-offset" /> : null}
        </>
      )}
    </div>
  )
}
export const delayCanvas: CanvasKind<'delay'> = {
  type: 'delay',
  color: '#0891b2',
  tint: '#e8f8fb',
  idPrefix: 'delay',
  initialData: () => ({ for: { amount: 1, unit: 'hours' } }),
  icon: 'M7 3h10M7 21h10M8 3c0 5 8 5 8 9s-8 4-8 9M16 3c0 5-8 5-8 9',
  hint: 'For a time, or until a date',
  inlet: true,
  waits: true,
  summary(data) {
    if (delayMode(data) === 'until') {
      const until = readRecord(data, 'until')
      return `Until ${typeof until.path === 'string' && until.path ? until.path : 'a date'}`
    }
    const d = readDuration(data, 'for')
    return d ? `Wait ${formatDuration(d)}` : 'Choose how long'
  },
  Form: DelayForm,
}
