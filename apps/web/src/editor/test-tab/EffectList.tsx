import type { ReactElement } from 'react'
import type { SimulatedEffect } from '@switchyard/schema'
import { useEditor } from '../store'
import { missingTraits } from './script'

/** A JSON text's value, or the text itself when it is not JSON (form bodies, plain text). */
function pretty(body: unknown): string {
  if (typeof body !== 'string') return JSON.stringify(body, null, 2)
  try {
    return JSON.stringify(JSON.parse(body), null, 2)
  } catch {
    return body
  }
}

function fieldsOf(rendered: unknown): [string, string][] {
  if (rendered === null || typeof rendered !== 'object' || !('fields' in rendered)) return []
  const fields = rendered.fields
  if (fields === null || typeof fields !== 'object') return []
  return Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])
}

/** A webhook's body as its receiver reads it: a form body's `data` field is the JSON it carries. */
function bodyOf(rendered: unknown): string {
  if (rendered === null || typeof rendered !== 'object' || !('body' in rendered) || typeof rendered.body !== 'string') return pretty(rendered)
  const form = 'contentType' in rendered && typeof rendered.contentType === 'string' && rendered.contentType.includes('x-www-form-urlencoded')
  return pretty(form ? (new URLSearchParams(rendered.body).get('data') ?? rendered.body) : rendered.body)
}

/**
 * What would have left, in order: each message with its fields as the user would get them (the
 * user's real test traits, with the traits its templates read and the user lacks named), each
 * webhook with the body its receiver would get.
 */
export function EffectList({ effects, users }: { effects: readonly SimulatedEffect[]; users: readonly { userId: string; traits: string }[] }): ReactElement {
  const nodes = useEditor((s) => s.nodes)
  const traitsOf = (userId: string): Record<string, unknown> => {
    try {
      const t: unknown = JSON.parse(users.find((u) => u.userId === userId)?.traits ?? '{}')
      return t !== null && typeof t === 'object' && !Array.isArray(t) ? Object.fromEntries(Object.entries(t)) : {}
    } catch {
      return {}
    }
  }
  if (effects.length === 0) return <p className="small muted">Nothing would be sent.</p>
  return (
    <div className="stack tight">
      <strong className="small">Would be sent ({effects.length})</strong>
      <ul className="sim-effects">
        {effects.map((e, i) => {
          const missing = e.kind === 'message' ? missingTraits(nodes.find((n) => n.id === e.nodeId)?.data.message, traitsOf(e.userId)) : []
          return (
            <li key={i} data-testid="sim-effect" data-kind={e.kind} data-node-id={e.nodeId} data-user-id={e.userId}>
              <div className="small">
                <span className="mono">{new Date(e.at).toLocaleString()}</span> {e.kind === 'message' ? 'Message' : 'Webhook'} <span className="mono">{e.nodeId}</span> to{' '}
                <span className="mono">{e.userId}</span>
              </div>
              {e.error ? <div className="error-text small">{e.error}</div> : null}
              {e.kind === 'message' ? (
                <dl className="sim-fields small" data-testid="sim-rendered">
                  {fieldsOf(e.rendered).map(([k, v]) => (
                    <div key={k}>
                      <dt>{k}</dt>
                      <dd>{v}</dd>
                    </div>
                  ))}
                </dl>
              ) : (
                <pre className="mono small sim-body" data-testid="sim-rendered">
                  {bodyOf(e.rendered)}
                </pre>
              )}
              {missing.length > 0 ? (
                <div className="banner warn small" data-testid="sim-missing">
                  {e.userId} has no {missing.map((m) => `user.traits.${m}`).join(', ')}: those parts render empty.
                </div>
              ) : null}
            </li>
          )
        })}
      </ul>
    </div>
  )
}
