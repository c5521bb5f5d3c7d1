import { useState, type ReactElement } from 'react'
import {
  ACTIVITY_STATUSES,
  CHANNEL_LABELS,
  CHANNELS,
  Channel,
  NODE_KINDS,
  statusesOf,
  type Condition,
  type Duration,
} from '@switchyard/schema'
import { api } from '../../api/endpoints'
import { errorMessage } from '../../api/client'
import { NODE_LOOKS, isNodeType, labelOfType } from '../../flow/kinds'
import { nearestPrecedingAction, type PrecedingAction } from '../../flow/preceding'
import {
  delayMode,
  readChannel,
  readCondition,
  readDuration,
  readRecord,
  readStatus,
  readString,
  readStringList,
  readStringMap,
  waitMode,
} from '../../flow/nodeData'
import type { FlowNode, NodeData } from '../../flow/types'
import { NodeIcon, Icon } from '../../ui/icons'
import { KeyValueEditor, pairsOf, recordOf } from '../../ui/KeyValueEditor'
import { TestStatus } from '../../ui/TestStatus'
import { Link } from '../../ui/Link'
import { accentStyle } from '../../ui/accent'
import { useShallow } from 'zustand/react/shallow'
import { editor, useEditor } from '../store'
import { ConditionBuilder } from './ConditionBuilder'
import { DurationField } from './DurationField'
import { LiquidField } from './LiquidField'

interface FormProps {
  node: FlowNode
  /** Replaces the node's data; edits with the same key within a moment are one undo step. */
  set: (data: NodeData, key: string) => void
}

export function NodePanel(): ReactElement {
  const node = useEditor((s) => {
    const selected = s.nodes.filter((n) => n.selected)
    return selected.length === 1 ? selected[0] : undefined
  })
  const many = useEditor((s) => s.nodes.filter((n) => n.selected).length)
  const issues = useEditor((s) => (node ? s.issues.byNode[node.id] : undefined))
  if (!node) {
    return (
      <div className="panel-empty" data-testid="panel-empty">
        {many > 1 ? (
          <>
            <strong>{many} steps selected</strong>
            <p className="muted">Press Delete to remove them, Ctrl+C to copy, Ctrl+D to duplicate.</p>
          </>
        ) : (
          <>
            <strong>Select a step to configure it</strong>
            <p className="muted">Drag steps from the palette on the left, then connect each outlet (the dots at the bottom of a step) to the next step.</p>
          </>
        )}
      </div>
    )
  }
  const type = node.type ?? ''
  const set = (data: NodeData, key: string) => editor.setNodeData(node.id, data, key)
  const look = isNodeType(type) ? NODE_LOOKS[type] : { color: '#64748b', tint: '#f1f5f9' }
  return (
    <div className="node-panel" data-testid="node-panel" data-node-id={node.id}>
      <div className="node-panel-head" style={accentStyle(look.color, look.tint)}>
        <span className="jnode-icon">
          <NodeIcon type={type} size={16} />
        </span>
        <div className="grow">
          <h3>{labelOfType(type)}</h3>
          <span className="mono muted small">{node.id}</span>
        </div>
        <button type="button" className="btn ghost small danger" onClick={() => editor.deleteNode(node.id)} data-testid="node-delete" title="Delete step (Delete)">
          <Icon name="trash" /> Delete
        </button>
      </div>
      {isNodeType(type) ? <p className="muted small">{NODE_KINDS[type].description}</p> : null}
      {issues && issues.length > 0 ? (
        <ul className="panel-issues" data-testid="panel-issues">
          {issues.map((i, k) => (
            <li key={k}>{i.message}</li>
          ))}
        </ul>
      ) : null}
      <NodeForm node={node} set={set} />
    </div>
  )
}

function NodeForm(props: FormProps): ReactElement {
  switch (props.node.type) {
    case 'trigger':
      return <TriggerForm {...props} />
    case 'action':
      return <ActionForm {...props} />
    case 'waitForEvent':
      return <WaitForm {...props} />
    case 'webhook':
      return <WebhookForm {...props} />
    case 'delay':
      return <DelayForm {...props} />
    case 'condition':
      return <ConditionForm {...props} />
    case 'exit':
      return <p className="muted">Users who reach this step leave the journey. Their run is marked completed.</p>
    default:
      return <p className="error-text">This step has an unknown type, “{props.node.type}”. Delete it and add a step from the palette.</p>
  }
}

const COMMON_EVENTS = ['add_to_cart', 'Charged', 'signed_up', 'App Launched', 'Product Viewed', 'checkout_started', 'order_completed']

function EventInput(props: { value: string; onChange: (v: string) => void; testId: string; label: string; hint?: string }): ReactElement {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input className="mono" list="common-events" value={props.value} onChange={(e) => props.onChange(e.target.value)} placeholder="add_to_cart" data-testid={props.testId} />
      <datalist id="common-events">
        {COMMON_EVENTS.map((e) => (
          <option key={e} value={e} />
        ))}
      </datalist>
      {props.hint ? <small className="muted">{props.hint}</small> : null}
    </label>
  )
}

function OptionalCondition(props: { label: string; value: Condition | null; onChange: (c: Condition | undefined) => void; testId: string }): ReactElement {
  const on = props.value !== null
  return (
    <div className="field">
      <label className="check">
        <input type="checkbox" checked={on} onChange={(e) => props.onChange(e.target.checked ? { all: [{ path: 'user.traits.country', op: 'eq', value: '' }] } : undefined)} data-testid={`${props.testId}-toggle`} />
        {props.label}
      </label>
      {on ? <ConditionBuilder value={props.value} onChange={props.onChange} testId={props.testId} /> : null}
    </div>
  )
}

function without(data: NodeData, key: string): NodeData {
  const out: NodeData = {}
  for (const [k, v] of Object.entries(data)) if (k !== key) out[k] = v
  return out
}

function withOptional(data: NodeData, key: string, value: unknown): NodeData {
  return value === undefined ? without(data, key) : { ...data, [key]: value }
}

function TriggerForm({ node, set }: FormProps): ReactElement {
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

function WebhookForm({ node, set }: FormProps): ReactElement {
  const d = node.data
  const webhooks = useEditor((s) => s.webhooks)
  const id = readString(d, 'webhookId')
  const chosen = webhooks.find((w) => w.id === id)
  const [testing, setTesting] = useState<string | null>(null)
  const body = readRecord(d, 'body')
  const bodyKind = body.kind === 'profiles' || body.kind === 'template' ? body.kind : 'activity'
  const test = async () => {
    if (!chosen) return
    setTesting('Testing…')
    try {
      const r = await api.testWebhook(chosen.id)
      setTesting(r.ok ? `OK · HTTP ${r.status ?? '?'} in ${Math.round(r.durationMs ?? 0)} ms` : `Failed${r.status ? ` · HTTP ${r.status}` : ''}${r.error ? ` · ${r.error}` : ''}`)
      editor.setWebhooks(await api.listWebhooks())
    } catch (e) {
      setTesting(errorMessage(e))
    }
  }
  return (
    <div className="stack">
      <label className="field">
        <span>Webhook</span>
        <select value={id} onChange={(e) => set({ ...d, webhookId: e.target.value }, 'webhookId')} data-testid="field-webhook">
          <option value="">{webhooks.length === 0 ? 'No webhooks configured' : 'Choose a webhook'}</option>
          {id && !chosen ? <option value={id}>Unknown webhook ({id})</option> : null}
          {webhooks.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name} — {w.testStatus === 'passing' ? 'test passing' : w.testStatus === 'failing' ? 'test failing' : 'not tested'}
            </option>
          ))}
        </select>
        {chosen ? (
          <div className="row webhook-chosen">
            <TestStatus status={chosen.testStatus} />
            <span className="mono small ellipsis grow" title={chosen.url}>
              {chosen.url}
            </span>
            <button type="button" className="btn small" onClick={() => void test()} data-testid="webhook-test-now">
              Test
            </button>
          </div>
        ) : null}
        {testing ? <small className="muted">{testing}</small> : null}
        <small className="muted">
          <Link to="/settings/webhooks">Manage webhooks</Link>
        </small>
      </label>
      <label className="field">
        <span>Attributes to send</span>
        <textarea
          rows={3}
          className="mono"
          value={readStringList(d, 'params').join('\n')}
          onChange={(e) => {
            const params = e.target.value.split('\n').map((s) => s.trim())
            set(withOptional(d, 'params', params.some((p) => p) ? params.filter((p, i) => p || i === params.length - 1) : undefined), 'params')
          }}
          placeholder={'user.traits.EMAIL\nevent.properties.price'}
          data-testid="field-params"
        />
        <small className="muted">One path per line, as att_params in the payload.</small>
      </label>
      <div className="field">
        <span>Custom parameters</span>
        <KeyValueEditor
          pairs={pairsOf(readStringMap(d, 'customParams'))}
          onChange={(pairs) => set(withOptional(d, 'customParams', pairs.length ? recordOf(pairs) : undefined), 'customParams')}
          keyPlaceholder="Action"
          valuePlaceholder="RCS Click"
          testId="field-custom-params"
        />
      </div>
      <label className="field">
        <span>Body</span>
        <select
          value={bodyKind}
          onChange={(e) => {
            const k = e.target.value
            set(k === 'activity' ? without(d, 'body') : k === 'template' ? { ...d, body: { kind: 'template', template: '{"userId": "{{ user.userId }}"}' } } : { ...d, body: { kind: 'profiles' } }, 'body')
          }}
          data-testid="field-body-kind"
        >
          <option value="activity">Activity item (default)</option>
          <option value="profiles">Profiles</option>
          <option value="template">Liquid template</option>
        </select>
      </label>
      {bodyKind === 'template' ? (
        <LiquidField
          label="Template"
          multiline
          value={typeof body.template === 'string' ? body.template : ''}
          onChange={(t) => set({ ...d, body: { kind: 'template', template: t } }, 'body.template')}
          testId="field-body-template"
        />
      ) : null}
    </div>
  )
}

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

function ConditionForm({ node, set }: FormProps): ReactElement {
  const d = node.data
  return (
    <div className="stack">
      <ConditionBuilder value={readCondition(d, 'where')} onChange={(c) => set({ ...d, where: c }, 'where')} testId="field-condition" />
      <p className="muted small">Users who match leave by “yes”, the others by “no”.</p>
    </div>
  )
}
