import { type ReactElement } from 'react'
import { ACTIVITY_STATUSES, CHANNEL_LABELS, CHANNELS, Channel, statusesOf, type Duration } from '@switchyard/schema'
import { nearestPrecedingAction, type PrecedingAction } from '../../flow/preceding'
import {
  readChannel,
  readCondition,
  readDuration,
  readRecord,
  readStatus,
  readString,
  waitMode,
} from '../../flow/nodeData'
import type { NodeData } from '../../flow/types'
import { Link } from '../../ui/Link'
import { useShallow } from 'zustand/react/shallow'
import { useEditor } from '../store'
import { DurationField } from './DurationField'
import { LiquidField } from './LiquidField'
import { EventInput, OptionalCondition, without, withOptional, type FormProps } from './fields'

export function TriggerForm({ node, set }: FormProps): ReactElement {
  const d = node.data
  return (
    <div className="stack">
      <EventInput label="Event" value={readString(d, 'event')} onChange={(v) => set({ ...d, event: v }, 'event')} testId="field-event" hint="The track event that starts the journey for a user." />
      <OptionalCondition label="Only for some users or events" value={readCondition(d, 'where')} onChange={(c) => set(withOptional(d, 'where', c), 'where')} testId="field-where" />
    </div>
  )
}

interface MessageField {
  key: string
  label: string
  liquid: boolean
  multiline?: boolean
}

const MESSAGE_FIELDS = {
  email: [
    { key: 'subject', label: 'Subject', liquid: true },
    { key: 'body', label: 'Body', liquid: true, multiline: true },
    { key: 'from', label: 'From (optional)', liquid: false },
  ],
  sms: [{ key: 'text', label: 'Text', liquid: true, multiline: true }],
  app_push: [
    { key: 'title', label: 'Title', liquid: true },
    { key: 'body', label: 'Body', liquid: true, multiline: true },
    { key: 'url', label: 'Link (optional)', liquid: false },
  ],
  web_push: [
    { key: 'title', label: 'Title', liquid: true },
    { key: 'body', label: 'Body', liquid: true, multiline: true },
    { key: 'url', label: 'Link (optional)', liquid: false },
  ],
  whatsapp: [
    { key: 'text', label: 'Text', liquid: true, multiline: true },
    { key: 'template', label: 'Approved template name (optional)', liquid: false },
  ],
  rcs: [
    { key: 'text', label: 'Text', liquid: true, multiline: true },
    { key: 'imageUrl', label: 'Image URL (optional)', liquid: false },
  ],
} as const satisfies Record<Channel, readonly MessageField[]>

export function ActionForm({ node, set }: FormProps): ReactElement {
  const d = node.data
  const channel = readChannel(d)
  const message = readRecord(d, 'message')
  const fields: readonly MessageField[] = channel ? MESSAGE_FIELDS[channel] : []
  const setField = (key: string, value: string) => set({ ...d, message: value === '' ? without(message, key) : { ...message, [key]: value } }, `message.${key}`)
  return (
    <div className="stack">
      <label className="field">
        <span>Channel</span>
        <select
          value={channel ?? ''}
          onChange={(e) => {
            const c = Channel.safeParse(e.target.value)
            if (c.success) set({ ...d, channel: c.data }, 'channel')
          }}
          data-testid="field-channel"
        >
          {channel === null ? <option value="">Choose a channel</option> : null}
          {CHANNELS.map((c) => (
            <option key={c} value={c}>
              {CHANNEL_LABELS[c]}
            </option>
          ))}
        </select>
      </label>
      {fields.map((f) => {
        const v = message[f.key]
        const value = typeof v === 'string' ? v : ''
        return f.liquid ? (
          <LiquidField
            key={f.key}
            label={f.label}
            value={value}
            multiline={f.multiline === true}
            onChange={(x) => setField(f.key, x)}
            testId={`field-message-${f.key}`}
            placeholder="Hi {{ user.traits.FIRSTNAME }}"
          />
        ) : (
          <label className="field" key={f.key}>
            <span>{f.label}</span>
            <input value={value} onChange={(e) => setField(f.key, e.target.value)} data-testid={`field-message-${f.key}`} />
          </label>
        )
      })}
      <p className="muted small">Each message gets an id; a following wait listens for its delivered, opened or clicked activity.</p>
    </div>
  )
}

const NO_PRECEDING: PrecedingAction = { nodeId: '', channel: null }

export function WaitForm({ node, set }: FormProps): ReactElement {
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
