import { useState, type ReactElement } from 'react'
import { api } from '../api/endpoints'
import { errorMessage } from '../api/client'
import { readRecord, readString, readStringList, readStringMap } from '../flow/nodeData'
import { KeyValueEditor, pairsOf, recordOf } from '../ui/KeyValueEditor'
import { TestStatus } from '../ui/TestStatus'
import { Link } from '../ui/Link'
import { editor, useEditor } from '../editor/store'
import { LiquidField } from '../editor/panel/LiquidField'
import { without, withOptional, type FormProps } from '../editor/panel/fields'
import type { CanvasKind } from './kind'

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
export const webhookCanvas: CanvasKind<'webhook'> = {
  type: 'webhook',
  color: '#059669',
  tint: '#e9f9f2',
  idPrefix: 'hook',
  initialData: () => ({ webhookId: '' }),
  icon: 'M9 17a4 4 0 1 1-3.5-6M15 7a4 4 0 1 1 3.5 6M12 8l-3 6h7',
  hint: 'Call your CRM or call centre',
  inlet: true,
  waits: false,
  summary(data, ctx) {
    const id = readString(data, 'webhookId')
    const name = id ? ctx.webhooks.find((w) => w.id === id)?.name : undefined
    return name ? `Posts to ${name}` : id ? 'Unknown webhook' : 'Choose a webhook'
  },
  Form: WebhookForm,
}
