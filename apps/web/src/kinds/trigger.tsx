import type { ReactElement } from 'react'
import { readCondition, readString } from '../flow/nodeData'
import { EventInput, OptionalCondition, withOptional, type FormProps } from '../editor/panel/fields'
import type { CanvasKind } from './kind'

function TriggerForm({ node, set }: FormProps): ReactElement {
  const d = node.data
  return (
    <div className="stack">
      <EventInput label="Event" value={readString(d, 'event')} onChange={(v) => set({ ...d, event: v }, 'event')} testId="field-event" hint="The track event that starts the journey for a user." />
      <OptionalCondition label="Only for some users or events" value={readCondition(d, 'where')} onChange={(c) => set(withOptional(d, 'where', c), 'where')} testId="field-where" />
    </div>
  )
}

export const triggerCanvas: CanvasKind<'trigger'> = {
  type: 'trigger',
  color: '#7c3aed',
  tint: '#f3efff',
  idPrefix: 'trg',
  initialData: () => ({ event: '' }),
  icon: 'M13 2 4 14h7l-1 8 9-12h-7z',
  hint: 'When a user performs an event',
  inlet: false,
  waits: false,
  summary(data) {
    const event = readString(data, 'event')
    return event ? `When ${event} happens` : 'Choose the event that starts it'
  },
  Form: TriggerForm,
}
