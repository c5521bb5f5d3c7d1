import { useCallback, useEffect, useState, type ReactElement } from 'react'
import { CHANNEL_LABELS, CHANNEL_STATUSES, CHANNELS, Channel } from '@switchyard/schema'
import { api } from '../api/endpoints'
import { ApiError, errorMessage } from '../api/client'
import type { Provider } from '../api/schemas'
import { Modal } from '../ui/Modal'
import { Icon } from '../ui/icons'
import { KeyValueEditor, recordOf } from '../ui/KeyValueEditor'

const KINDS = ['sandbox', 'smtp', 'http'] as const

export function ChannelsPage(): ReactElement {
  const [providers, setProviders] = useState<Provider[] | null>(null)
  const [unavailable, setUnavailable] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [creating, setCreating] = useState(false)

  const reload = useCallback(() => {
    api.listProviders().then(
      (p) => {
        setProviders(p)
        setUnavailable(false)
      },
      (e: unknown) => {
        if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501)) setUnavailable(true)
        else setError(errorMessage(e))
      },
    )
  }, [])
  useEffect(reload, [reload])

  return (
    <div className="page-inner" data-testid="channels-page">
      <div className="page-head">
        <div>
          <h1>Channels</h1>
          <p className="muted">The providers that deliver messages for each channel, and the activity each channel reports back.</p>
        </div>
        {!unavailable ? (
          <button type="button" className="btn primary" onClick={() => setCreating(true)}>
            <Icon name="plus" /> Add provider
          </button>
        ) : null}
      </div>
      {error ? <div className="banner error">{error}</div> : null}
      {unavailable ? (
        <div className="banner info" data-testid="channels-unavailable">
          This server does not manage channel providers yet. Messages go through the built-in sandbox, which records every message and its id so you can
          send activity (delivered, opened, clicked…) for it.
        </div>
      ) : null}
      {providers !== null && providers.length > 0 ? (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Channel</th>
              <th>Kind</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {providers.map((p) => {
              const ch = Channel.safeParse(p.channel)
              return (
                <tr key={p.id}>
                  <td className="strong">{p.name}</td>
                  <td>{ch.success ? CHANNEL_LABELS[ch.data] : p.channel}</td>
                  <td className="capitalize">{p.kind}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="btn ghost small danger"
                      onClick={() => {
                        void api.deleteProvider(p.id).then(reload, (e: unknown) => setError(errorMessage(e)))
                      }}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      ) : null}
      {providers !== null && providers.length === 0 ? <p className="muted">No providers configured: every channel uses the sandbox.</p> : null}
      <h2 className="section-title">Activity per channel</h2>
      <div className="channel-grid">
        {CHANNELS.map((c) => (
          <div key={c} className="card">
            <strong>{CHANNEL_LABELS[c]}</strong>
            <div className="tags">
              {['sent', ...CHANNEL_STATUSES[c]].map((s) => (
                <code key={s} className="tag">
                  {c}.{s}
                </code>
              ))}
            </div>
          </div>
        ))}
      </div>
      {creating ? (
        <ProviderDialog
          onClose={() => setCreating(false)}
          onSaved={() => {
            setCreating(false)
            reload()
          }}
        />
      ) : null}
    </div>
  )
}

function ProviderDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }): ReactElement {
  const [name, setName] = useState('')
  const [channel, setChannel] = useState<Channel>('email')
  const [kind, setKind] = useState<(typeof KINDS)[number]>('sandbox')
  const [config, setConfig] = useState<[string, string][]>([])
  const [error, setError] = useState<string | null>(null)
  const submit = async () => {
    try {
      await api.createProvider({ name: name.trim(), channel, kind, config: recordOf(config) })
      onSaved()
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  return (
    <Modal title="Add provider" onClose={onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <label className="field">
          <span>Name</span>
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <div className="grid-2">
          <label className="field">
            <span>Channel</span>
            <select
              value={channel}
              onChange={(e) => {
                const c = Channel.safeParse(e.target.value)
                if (c.success) setChannel(c.data)
              }}
            >
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {CHANNEL_LABELS[c]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Kind</span>
            <select value={kind} onChange={(e) => setKind(KINDS.find((k) => k === e.target.value) ?? 'sandbox')}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {k === 'smtp' ? 'SMTP' : k === 'http' ? 'HTTP API' : 'Sandbox'}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="field">
          <span>Configuration</span>
          <KeyValueEditor pairs={config} onChange={setConfig} keyPlaceholder={kind === 'smtp' ? 'host' : 'url'} />
        </div>
        {error ? <div className="banner error">{error}</div> : null}
        <div className="row end">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={!name.trim()}>
            Add provider
          </button>
        </div>
      </form>
    </Modal>
  )
}
