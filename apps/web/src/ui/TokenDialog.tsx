import { useState, type ReactElement } from 'react'
import { saveToken, useAuth } from '../api/client'
import { Modal } from './Modal'

/** Asked for when the server answers 401: the server runs with ADMIN_TOKEN. */
export function TokenDialog(): ReactElement | null {
  const asking = useAuth((s) => s.asking)
  const [token, setToken] = useState('')
  if (!asking) return null
  return (
    <Modal title="Admin token required" onClose={() => undefined} testId="token-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (token.trim()) saveToken(token.trim())
        }}
        className="stack"
      >
        <p className="muted">This Switchyard server is protected by an admin token (the ADMIN_TOKEN it was started with). It is kept in this browser only.</p>
        <label className="field">
          <span>Token</span>
          <input type="password" autoFocus value={token} onChange={(e) => setToken(e.target.value)} data-testid="token-input" />
        </label>
        <div className="row end">
          <button type="submit" className="btn primary" disabled={!token.trim()}>
            Continue
          </button>
        </div>
      </form>
    </Modal>
  )
}
