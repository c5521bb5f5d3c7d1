import { useEffect, useState, type ReactElement } from 'react'
import { api } from '../api/endpoints'
import { useRemoteList } from '../api/useRemoteList'
import { errorMessage } from '../api/client'
import type { WebhookDeliveryView, WebhookTestResult, WebhookView } from '../api/schemas'
import { dateTime } from '../ui/format'
import type { WebhookInputBody } from '../api/endpoints'
import { Modal } from '../ui/Modal'
import { PageHead } from '../ui/PageHead'
import { Icon } from '../ui/icons'
import { KeyValueEditor, pairsOf, recordOf } from '../ui/KeyValueEditor'
import { TestStatus } from '../ui/TestStatus'

type Editing = { webhook: WebhookView | null } | null

export function WebhooksPage(): ReactElement {
  const { items: webhooks, error, setError, reload } = useRemoteList(api.listWebhooks)
  const [editing, setEditing] = useState<Editing>(null)
  const [tests, setTests] = useState<Record<string, WebhookTestResult | 'running' | string>>({})
  const [deliveries, setDeliveries] = useState<WebhookView | null>(null)

  const test = async (w: WebhookView) => {
    setTests((t) => ({ ...t, [w.id]: 'running' }))
    try {
      const r = await api.testWebhook(w.id)
      setTests((t) => ({ ...t, [w.id]: r }))
    } catch (e) {
      setTests((t) => ({ ...t, [w.id]: errorMessage(e) }))
    }
    reload()
  }
  const remove = async (w: WebhookView) => {
    if (!window.confirm(`Delete the webhook “${w.name}”? Journeys that call it will not publish until they use another.`)) return
    try {
      await api.deleteWebhook(w.id)
      reload()
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  return (
    <div className="page-inner" data-testid="webhooks-page">
      <PageHead
        title="Webhooks"
        description="Endpoints your journeys call: a CRM, a call centre, a data warehouse. Configured once, picked by name on the canvas."
        action={
          <button type="button" className="btn primary" onClick={() => setEditing({ webhook: null })} data-testid="new-webhook">
            <Icon name="plus" /> New webhook
          </button>
        }
      />
      {error ? <div className="banner error">{error}</div> : null}
      {webhooks !== null && webhooks.length === 0 ? (
        <div className="empty-state" data-testid="webhooks-empty">
          <h2>No webhooks yet</h2>
          <p className="muted">Add the URL a journey should call. Switchyard signs every request, retries on failure and logs each attempt.</p>
          <button type="button" className="btn primary" onClick={() => setEditing({ webhook: null })}>
            <Icon name="plus" /> Add a webhook
          </button>
        </div>
      ) : null}
      {webhooks !== null && webhooks.length > 0 ? (
        <table className="table" data-testid="webhooks-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Endpoint</th>
              <th>Test</th>
              <th>State</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {webhooks.map((w) => {
              const t = tests[w.id]
              return (
                <tr key={w.id} data-testid="webhook-row" data-webhook-id={w.id}>
                  <td>
                    <span className="strong">{w.name}</span>
                    <span className="sub">
                      {w.encoding === 'form' ? 'Form encoded' : 'JSON'}
                      {w.auth ? ' · basic auth' : ''}
                      {w.hasSigningSecret ? ' · signed' : ''}
                    </span>
                  </td>
                  <td className="mono ellipsis" title={w.url}>
                    {w.url}
                  </td>
                  <td>
                    <TestStatus status={w.testStatus} />
                    {t === 'running' ? <span className="sub">Testing…</span> : null}
                    {typeof t === 'string' && t !== 'running' ? <span className="sub error-text">{t}</span> : null}
                    {t !== undefined && typeof t !== 'string' ? (
                      <span className="sub" data-testid="webhook-test-result">
                        {t.ok ? 'OK' : 'Failed'}
                        {t.status ? ` · HTTP ${t.status}` : ''}
                        {t.durationMs != null ? ` · ${Math.round(t.durationMs)} ms` : ''}
                        {t.error ? ` · ${t.error}` : ''}
                      </span>
                    ) : null}
                  </td>
                  <td className="capitalize">{w.state}</td>
                  <td className="actions">
                    <button type="button" className="btn ghost small" onClick={() => void test(w)} data-testid="test-webhook">
                      Test
                    </button>
                    <button type="button" className="btn ghost small" onClick={() => setDeliveries(w)}>
                      Deliveries
                    </button>
                    <button type="button" className="btn ghost small" onClick={() => setEditing({ webhook: w })} data-testid="edit-webhook">
                      Edit
                    </button>
                    <button type="button" className="btn ghost small danger" onClick={() => void remove(w)}>
                      Delete
                    </button>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      ) : null}
      {editing ? (
        <WebhookDialog
          webhook={editing.webhook}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null)
            reload()
          }}
        />
      ) : null}
      {deliveries ? <DeliveriesDialog webhook={deliveries} onClose={() => setDeliveries(null)} /> : null}
    </div>
  )
}

function generateSecret(): string {
  const bytes = new Uint8Array(24)
  crypto.getRandomValues(bytes)
  return `whsec_${btoa(String.fromCharCode(...bytes))}`
}

function WebhookDialog({ webhook, onClose, onSaved }: { webhook: WebhookView | null; onClose: () => void; onSaved: () => void }): ReactElement {
  const [name, setName] = useState(webhook?.name ?? '')
  const [url, setUrl] = useState(webhook?.url ?? 'https://')
  const [encoding, setEncoding] = useState<'json' | 'form'>(webhook?.encoding ?? 'json')
  const [useAuth, setUseAuth] = useState(Boolean(webhook?.auth))
  const [username, setUsername] = useState(webhook?.auth?.username ?? '')
  const [password, setPassword] = useState('')
  const [headers, setHeaders] = useState(pairsOf(webhook?.headers))
  const [query, setQuery] = useState(pairsOf(webhook?.query))
  const [timeoutMs, setTimeoutMs] = useState(String(webhook?.timeoutMs ?? 3000))
  const [maxAttempts, setMaxAttempts] = useState(String(webhook?.retry?.maxAttempts ?? 5))
  const [initialDelayMs, setInitialDelayMs] = useState(String(webhook?.retry?.initialDelayMs ?? 1000))
  const [maxDelayMs, setMaxDelayMs] = useState(String(webhook?.retry?.maxDelayMs ?? 60000))
  const [secret, setSecret] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async () => {
    const input: WebhookInputBody = {
      name: name.trim(),
      url: url.trim(),
      encoding,
      headers: recordOf(headers),
      query: recordOf(query),
      timeoutMs: Number(timeoutMs),
      retry: { maxAttempts: Number(maxAttempts), initialDelayMs: Number(initialDelayMs), maxDelayMs: Number(maxDelayMs) },
    }
    // Leaving auth out of a PUT removes it; a password left empty keeps the stored one.
    if (useAuth) input.auth = password ? { type: 'basic', username, password } : { type: 'basic', username }
    if (secret) input.signingSecret = secret
    setBusy(true)
    try {
      if (webhook) await api.updateWebhook(webhook.id, input)
      else await api.createWebhook(input)
      onSaved()
    } catch (e) {
      setError(errorMessage(e))
      setBusy(false)
    }
  }

  return (
    <Modal title={webhook ? `Edit ${webhook.name}` : 'New webhook'} onClose={onClose} testId="webhook-dialog" width={620}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <div className="grid-2">
          <label className="field">
            <span>Name</span>
            <input autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="Call centre" data-testid="webhook-name" />
          </label>
          <label className="field">
            <span>Body encoding</span>
            <select value={encoding} onChange={(e) => setEncoding(e.target.value === 'form' ? 'form' : 'json')} data-testid="webhook-encoding">
              <option value="json">JSON</option>
              <option value="form">Form (data=&lt;json&gt;)</option>
            </select>
          </label>
        </div>
        <label className="field">
          <span>URL</span>
          <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://crm.example.com/hooks/switchyard" data-testid="webhook-url" className="mono" />
        </label>
        <label className="check">
          <input type="checkbox" checked={useAuth} onChange={(e) => setUseAuth(e.target.checked)} /> Basic authentication
        </label>
        {useAuth ? (
          <div className="grid-2">
            <label className="field">
              <span>User name</span>
              <input value={username} onChange={(e) => setUsername(e.target.value)} />
            </label>
            <label className="field">
              <span>Password</span>
              <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} placeholder={webhook?.auth?.hasPassword ? 'Unchanged' : ''} />
            </label>
          </div>
        ) : null}
        <div className="grid-2">
          <div className="field">
            <span>Headers</span>
            <KeyValueEditor pairs={headers} onChange={setHeaders} keyPlaceholder="X-Header" />
          </div>
          <div className="field">
            <span>Query parameters</span>
            <KeyValueEditor pairs={query} onChange={setQuery} keyPlaceholder="param" />
          </div>
        </div>
        <div className="grid-4">
          <label className="field">
            <span>Timeout (ms)</span>
            <input type="number" min={100} value={timeoutMs} onChange={(e) => setTimeoutMs(e.target.value)} />
          </label>
          <label className="field">
            <span>Attempts</span>
            <input type="number" min={1} value={maxAttempts} onChange={(e) => setMaxAttempts(e.target.value)} />
          </label>
          <label className="field">
            <span>First retry (ms)</span>
            <input type="number" min={0} value={initialDelayMs} onChange={(e) => setInitialDelayMs(e.target.value)} />
          </label>
          <label className="field">
            <span>Longest wait (ms)</span>
            <input type="number" min={0} value={maxDelayMs} onChange={(e) => setMaxDelayMs(e.target.value)} />
          </label>
        </div>
        <div className="field">
          <span>Signing secret {webhook?.hasSigningSecret ? <em className="muted">(set; leave empty to keep it)</em> : null}</span>
          <div className="row">
            <input className="mono grow" value={secret} onChange={(e) => setSecret(e.target.value)} placeholder="whsec_…" />
            <button type="button" className="btn" onClick={() => setSecret(generateSecret())}>
              Generate
            </button>
          </div>
          <small className="muted">Requests carry webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks).</small>
        </div>
        {error ? <div className="banner error">{error}</div> : null}
        <div className="row end">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={busy || !name.trim() || !url.trim()} data-testid="webhook-save">
            {webhook ? 'Save changes' : 'Create webhook'}
          </button>
        </div>
      </form>
    </Modal>
  )
}

function DeliveriesDialog({ webhook, onClose }: { webhook: WebhookView; onClose: () => void }): ReactElement {
  const [items, setItems] = useState<WebhookDeliveryView[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    api.deliveries(webhook.id).then(setItems, (e: unknown) => setError(errorMessage(e)))
  }, [webhook.id])
  return (
    <Modal title={`Deliveries of ${webhook.name}`} onClose={onClose} width={760}>
      {error ? <div className="banner error">{error}</div> : null}
      {items === null && !error ? <p className="muted">Loading…</p> : null}
      {items !== null && items.length === 0 ? <p className="muted">No deliveries yet. They appear once a journey calls this webhook.</p> : null}
      {items !== null && items.length > 0 ? (
        <table className="table compact" data-testid="deliveries">
          <thead>
            <tr>
              <th>When</th>
              <th>What</th>
              <th>Status</th>
              <th>Attempts</th>
            </tr>
          </thead>
          <tbody>
            {items.slice(0, 50).map((d) => (
              <tr key={d.id}>
                <td className="muted">{dateTime(d.createdAt)}</td>
                <td className="ellipsis" title={d.summary}>
                  {d.summary}
                </td>
                <td className="capitalize">{d.status}</td>
                <td>
                  {d.history.map((a) => (
                    <span key={a.attempt} className="sub mono">
                      #{a.attempt} {a.status ?? '—'} · {a.durationMs} ms{a.error ? ` · ${a.error}` : ''}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Modal>
  )
}
