import { useState, type ReactElement } from 'react'
import { api } from '../../api/endpoints'
import { errorMessage } from '../../api/client'
import {
  delayMode,
  readCondition,
  readDuration,
  readRecord,
  readString,
  readStringList,
  readStringMap,
} from '../../flow/nodeData'
import { KeyValueEditor, pairsOf, recordOf } from '../../ui/KeyValueEditor'
import { TestStatus } from '../../ui/TestStatus'
import { Link } from '../../ui/Link'
import { editor, useEditor } from '../store'
import { ConditionBuilder } from './ConditionBuilder'
import { DurationField } from './DurationField'
import { LiquidField } from './LiquidField'
import { without, withOptional, type FormProps } from './fields'

export function WebhookForm({ node, set }: FormProps): ReactElement {
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

export function DelayForm({ node, set }: FormProps): ReactElement {
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

export function ConditionForm({ node, set }: FormProps): ReactElement {
  const d = node.data
  return (
    <div className="stack">
      <ConditionBuilder value={readCondition(d, 'where')} onChange={(c) => set({ ...d, where: c }, 'where')} testId="field-condition" />
      <p className="muted small">Users who match leave by “yes”, the others by “no”.</p>
    </div>
  )
}
