import { useState, type ReactElement } from 'react'
import { Channel, statusesOf, activityEventName, type ActivityStatus } from '@switchyard/schema'
import { api } from '../../api/endpoints'
import { errorMessage } from '../../api/client'
import { readString } from '../../flow/nodeData'
import { StatusPill } from '../../ui/StatusPill'
import { labelOfType } from '../../kinds'
import { inspectUser } from '../polling'
import { useEditor } from '../store'

/** Sends a track event (and activity for the user's latest message) as a test user, then follows the run. */
export function TestPanel({ journeyId }: { journeyId: string }): ReactElement {
  const triggerEvent = useEditor((s) => {
    const t = s.nodes.find((n) => n.type === 'trigger')
    return t ? readString(t.data, 'event') : ''
  })
  const live = useEditor((s) => s.journey?.status === 'live')
  const inspection = useEditor((s) => s.inspection)
  const nodes = useEditor((s) => s.nodes)
  const [userId, setUserId] = useState('test-user-1')
  const [event, setEvent] = useState('')
  const [props, setProps] = useState('{\n  "product": "Trail shoes"\n}')
  const [log, setLog] = useState<{ text: string; error: boolean }[]>([])
  const [status, setStatus] = useState<ActivityStatus>('clicked')

  const say = (text: string, error = false) => setLog((l) => [{ text, error }, ...l].slice(0, 6))

  const eventName = event || triggerEvent
  const sendEvent = async () => {
    let properties: Record<string, unknown> = {}
    try {
      const parsed: unknown = props.trim() ? JSON.parse(props) : {}
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('Properties must be a JSON object.')
      properties = Object.fromEntries(Object.entries(parsed))
    } catch (e) {
      say(errorMessage(e), true)
      return
    }
    try {
      await api.track({ userId, event: eventName, properties })
      say(`Sent ${eventName} as ${userId}.`)
      await follow()
    } catch (e) {
      say(errorMessage(e), true)
    }
  }

  const follow = async () => {
    // The engine applies events just after accepting them; look again shortly if the run is not there yet.
    for (let i = 0; i < 5; i++) {
      const n = await inspectUser(journeyId, userId, false).catch(() => 0)
      if (n > 0) return
      await new Promise((r) => setTimeout(r, 400))
    }
  }

  const sameUser = inspection?.userId === userId ? inspection : null
  const run = sameUser?.runs[0]
  const lastMessage = run ? [...run.history].reverse().find((h) => h.kind === 'message' && h.messageId) : undefined
  const messageNode = lastMessage ? nodes.find((n) => n.id === lastMessage.nodeId) : undefined
  const channel = Channel.safeParse(messageNode?.data.channel)
  const sendActivity = async () => {
    if (!lastMessage?.messageId || !channel.success) return
    const name = activityEventName(channel.data, status)
    try {
      await api.track({ userId, event: name, properties: { messageId: lastMessage.messageId } })
      say(`Sent ${name} for message ${lastMessage.messageId}.`)
      await follow()
    } catch (e) {
      say(errorMessage(e), true)
    }
  }

  return (
    <div className="stack" data-testid="test-panel">
      {!live ? <div className="banner info small">Publish the journey first: only live journeys take in events.</div> : null}
      <label className="field">
        <span>User id</span>
        <input className="mono" value={userId} onChange={(e) => setUserId(e.target.value)} data-testid="test-user" />
      </label>
      <label className="field">
        <span>Event</span>
        <input className="mono" value={event} onChange={(e) => setEvent(e.target.value)} placeholder={triggerEvent || 'add_to_cart'} data-testid="test-event" />
      </label>
      <label className="field">
        <span>Properties (JSON)</span>
        <textarea className="mono small" rows={4} value={props} onChange={(e) => setProps(e.target.value)} data-testid="test-properties" />
      </label>
      <button type="button" className="btn primary" onClick={() => void sendEvent()} disabled={!userId.trim() || !eventName} data-testid="test-send">
        Send {eventName || 'event'} as {userId || '…'}
      </button>
      {run ? (
        <div className="test-run" data-testid="test-run">
          <div className="row">
            <StatusPill status={run.status} />
            <span className="small">
              v{run.version}
              {run.currentNodeId ? (
                <>
                  {' '}
                  · at {labelOfType(nodes.find((n) => n.id === run.currentNodeId)?.type ?? '')} <span className="mono">{run.currentNodeId}</span>
                </>
              ) : null}
            </span>
          </div>
          {lastMessage?.messageId && channel.success ? (
            <div className="stack tight">
              <span className="small">
                Latest message <span className="mono">{lastMessage.messageId}</span>
              </span>
              <div className="row">
                <select
                  value={status}
                  onChange={(e) => {
                    const s = statusesOf(channel.data).find((x) => x === e.target.value)
                    if (s) setStatus(s)
                  }}
                  data-testid="test-activity-status"
                >
                  {statusesOf(channel.data).map((s) => (
                    <option key={s} value={s}>
                      {channel.data}.{s}
                    </option>
                  ))}
                </select>
                <button type="button" className="btn" onClick={() => void sendActivity()} data-testid="test-send-activity">
                  Send activity
                </button>
              </div>
            </div>
          ) : null}
        </div>
      ) : null}
      {log.length > 0 ? (
        <ul className="test-log" data-testid="test-log">
          {log.map((l, i) => (
            <li key={i} className={l.error ? 'error-text' : ''}>
              {l.text}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}
