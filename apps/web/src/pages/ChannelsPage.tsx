import { useState, type ReactElement } from 'react'
import { CHANNEL_LABELS, CHANNEL_STATUSES, CHANNELS, Channel } from '@switchyard/schema'
import { ChannelOptions } from '../ui/ChannelOptions'
import { api } from '../api/endpoints'
import { useRemoteList } from '../api/useRemoteList'
import { ApiError, errorMessage } from '../api/client'
import type { ProviderInput } from '../api/schemas'
import { Modal } from '../ui/Modal'
import { PageHead } from '../ui/PageHead'
import { Icon } from '../ui/icons'

const KINDS = ['sandbox', 'smtp', 'http'] as const
const KIND_LABELS = { sandbox: 'Sandbox', smtp: 'SMTP', http: 'HTTP API' } as const satisfies Record<(typeof KINDS)[number], string>

/** Older or smaller servers without channel providers answer these. */
function serverLacksChannels(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501)
}

export function ChannelsPage(): ReactElement {
  const { items: providers, error, setError, unavailable, reload } = useRemoteList(api.listProviders, { isUnavailable: serverLacksChannels })
  const [creating, setCreating] = useState(false)

  return (
    <div className="page-inner" data-testid="channels-page">
      <PageHead
        title="Channels"
        description="The providers that deliver messages for each channel, and the activity each channel reports back."
        action={
          unavailable ? null : (
            <button type="button" className="btn primary" onClick={() => setCreating(true)}>
              <Icon name="plus" /> Add provider
            </button>
          )
        }
      />
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
              <th>Sends to</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {providers.map((p) => {
              return (
                <tr key={p.id} data-testid="provider-row">
                  <td>
                    <span className="strong">{p.name}</span>
                    {p.default ? <span className="sub">Default for {CHANNEL_LABELS[p.channel]}</span> : null}
                  </td>
                  <td>{CHANNEL_LABELS[p.channel]}</td>
                  <td>{KIND_LABELS[p.kind]}</td>
                  <td className="mono ellipsis">{p.kind === 'smtp' ? `${p.config.host}:${p.config.port}` : p.kind === 'http' ? p.config.url : 'Recorded, not sent'}</td>
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
  const [isDefault, setIsDefault] = useState(true)
  const [host, setHost] = useState('')
  const [port, setPort] = useState('587')
  const [from, setFrom] = useState('')
  const [user, setUser] = useState('')
  const [pass, setPass] = useState('')
  const [url, setUrl] = useState('https://')
  const [token, setToken] = useState('')
  const [body, setBody] = useState('{"to": "{{ user.traits.phone }}", "text": {{ message.text | json }}}')
  const [error, setError] = useState<string | null>(null)

  const input = (): ProviderInput => {
    const base = { name: name.trim(), channel, default: isDefault }
    if (kind === 'smtp') {
      return { ...base, kind, config: { host, port: Number(port), from, ...(user ? { auth: pass ? { user, pass } : { user } } : {}) } }
    }
    if (kind === 'http') return { ...base, kind, config: { url, body, ...(token ? { auth: { type: 'bearer', token } } : {}) } }
    return { ...base, kind: 'sandbox', config: {} }
  }
  const submit = async () => {
    try {
      await api.createProvider(input())
      onSaved()
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  return (
    <Modal title="Add provider" onClose={onClose} width={560}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <label className="field">
          <span>Name</span>
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="Transactional email" />
        </label>
        <div className="grid-2">
          <label className="field">
            <span>Channel</span>
            <select
              value={channel}
              onChange={(e) => {
                const c = Channel.safeParse(e.target.value)
                if (c.success) setChannel(c.data)
                if (c.success && c.data !== 'email' && kind === 'smtp') setKind('http')
              }}
            >
              <ChannelOptions />
            </select>
          </label>
          <label className="field">
            <span>Kind</span>
            <select value={kind} onChange={(e) => setKind(KINDS.find((k) => k === e.target.value) ?? 'sandbox')}>
              {KINDS.filter((k) => k !== 'smtp' || channel === 'email').map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
        </div>
        {kind === 'smtp' ? (
          <>
            <div className="grid-2">
              <label className="field">
                <span>SMTP host</span>
                <input value={host} onChange={(e) => setHost(e.target.value)} placeholder="smtp.example.com" />
              </label>
              <label className="field">
                <span>Port</span>
                <input type="number" value={port} onChange={(e) => setPort(e.target.value)} />
              </label>
            </div>
            <label className="field">
              <span>From</span>
              <input value={from} onChange={(e) => setFrom(e.target.value)} placeholder="Shop <news@shop.example>" />
            </label>
            <div className="grid-2">
              <label className="field">
                <span>User (optional)</span>
                <input value={user} onChange={(e) => setUser(e.target.value)} />
              </label>
              <label className="field">
                <span>Password</span>
                <input type="password" value={pass} onChange={(e) => setPass(e.target.value)} />
              </label>
            </div>
          </>
        ) : null}
        {kind === 'http' ? (
          <>
            <label className="field">
              <span>Endpoint URL</span>
              <input className="mono" value={url} onChange={(e) => setUrl(e.target.value)} />
            </label>
            <label className="field">
              <span>Bearer token (optional)</span>
              <input type="password" value={token} onChange={(e) => setToken(e.target.value)} />
            </label>
            <label className="field">
              <span>
                Request body <em className="liquid-badge">Liquid</em>
              </span>
              <textarea className="mono small" rows={4} value={body} onChange={(e) => setBody(e.target.value)} />
            </label>
          </>
        ) : null}
        {kind === 'sandbox' ? <p className="muted small">The sandbox records messages without sending them: use it to try journeys and send their activity by hand.</p> : null}
        <label className="check">
          <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} /> Default provider for {CHANNEL_LABELS[channel]}
        </label>
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
