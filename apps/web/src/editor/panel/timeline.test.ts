import { describe, expect, it } from 'vitest'
import type { HistoryItem } from '@switchyard/schema'
import { timelineSteps } from './timeline'

const row = (nodeId: string, kind: HistoryItem['kind'], at: string, extra: Partial<HistoryItem> = {}): HistoryItem => ({
  at,
  nodeId,
  kind,
  outlet: null,
  messageId: null,
  detail: null,
  ...extra,
})

describe('the timeline folds a run into one item per step', () => {
  const history = [
    row('t', 'entered', '2026-01-01T10:00:00Z', { nodeLabel: 'Signed up', detail: { event: 'signup' } }),
    row('mail', 'message', '2026-01-01T10:00:01Z', { nodeLabel: 'Welcome', messageId: 'msg_1', detail: { channel: 'email', status: 'queued' } }),
    row('hook', 'webhook', '2026-01-01T10:00:01Z', { nodeLabel: 'CRM', detail: { status: 'queued', deliveryId: 'dlv_1' } }),
    row('done', 'completed', '2026-01-01T10:00:01Z', { nodeLabel: 'Exit' }),
    row('mail', 'message', '2026-01-01T10:00:02Z', { messageId: 'msg_1', detail: { channel: 'email', status: 'sent', rendered: { to: 'a@example.com' } } }),
    row('hook', 'webhook', '2026-01-01T10:00:03Z', { detail: { status: 200, deliveryStatus: 'delivered', deliveryId: 'dlv_1' } }),
  ]

  it('shows each message once, with its send folded in, and the webhook result before "Completed"', () => {
    const steps = timelineSteps(history, {})
    expect(steps.map((s) => [s.label, s.outcome])).toEqual([
      ['Signed up', 'Entered on “signup”'],
      ['Welcome', 'Message sent to a@example.com'],
      ['CRM', 'Webhook delivered (HTTP 200)'],
      ['Exit', 'Completed'],
    ])
  })

  it('says a message went to no address rather than to null', () => {
    const [step] = timelineSteps([row('m', 'message', '2026-01-01T10:00:00Z', { detail: { status: 'sent', rendered: { to: null } } })], { m: 'Message 2' })
    expect(step?.outcome).toBe('Message sent, to no address')
    expect(step?.label).toBe('Message 2')
  })
})
