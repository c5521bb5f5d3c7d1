import type { ReactElement } from 'react'
import { CHANNEL_LABELS, Channel } from '@switchyard/schema'
import { ChannelOptions } from '../ui/ChannelOptions'
import { readChannel, readRecord } from '../flow/nodeData'
import { LiquidField } from '../editor/panel/LiquidField'
import { without, type FormProps } from '../editor/panel/fields'
import type { CanvasKind } from './kind'
import { ActionCard } from './actionCard'

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

function ActionForm({ node, set }: FormProps): ReactElement {
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
          <ChannelOptions />
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
export const actionCanvas: CanvasKind<'action'> = {
  type: 'action',
  color: '#2563eb',
  tint: '#eef4ff',
  idPrefix: 'msg',
  initialData: () => ({ channel: 'email', message: {} }),
  icon: 'M4 5h16v11H8l-4 4z',
  hint: 'Email, SMS, push, WhatsApp, RCS',
  inlet: true,
  waits: false,
  summary(data) {
    const channel = readChannel(data)
    const message = readRecord(data, 'message')
    const text = [message.subject, message.title, message.text, message.body].find((x): x is string => typeof x === 'string' && x !== '')
    const label = channel ? CHANNEL_LABELS[channel] : 'Choose a channel'
    return text ? `${label}: ${text}` : `${label} message`
  },
  Card: ActionCard,
  Form: ActionForm,
}
