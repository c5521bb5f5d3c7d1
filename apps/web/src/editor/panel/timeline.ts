import type { HistoryItem } from '@switchyard/schema'

/** One step of a run as the timeline shows it: its rows folded into one item, the outcome last. */
export interface TimelineStep {
  nodeId: string
  label: string
  /** The row that says how the step ended (a message's send, a webhook's result, a wait's event). */
  last: HistoryItem
  items: HistoryItem[]
  at: string
  outlet: string | null
  outcome: string
  tone: 'good' | 'bad' | 'plain'
  /** The release time of a held message or webhook. */
  heldUntil: string | null
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)

/**
 * Folds a run's history into one item per step, in the order the steps were reached: a message's
 * "queued" and "sent" rows become one item, and a webhook's result, which arrives after the run
 * may have completed, stays with its step rather than after "Completed".
 */
export function timelineSteps(history: readonly HistoryItem[], labels: Readonly<Record<string, string>>): TimelineStep[] {
  const groups = new Map<string, HistoryItem[]>()
  for (const h of history) {
    const g = groups.get(h.nodeId)
    if (g) g.push(h)
    else groups.set(h.nodeId, [h])
  }
  const steps: TimelineStep[] = []
  for (const [nodeId, items] of groups) {
    const first = items[0]
    const last = items[items.length - 1]
    if (!first || !last) continue
    const outlet = [...items].reverse().find((h) => h.outlet !== null)?.outlet ?? null
    const status = str(last.detail?.status)
    steps.push({
      nodeId,
      label: first.nodeLabel ?? labels[nodeId] ?? 'Step',
      last,
      items,
      at: first.at,
      outlet,
      ...outcomeOf(last),
      heldUntil: status === 'held' ? str(last.detail?.until) : null,
    })
  }
  return steps
}

function outcomeOf(h: HistoryItem): { outcome: string; tone: TimelineStep['tone'] } {
  const d = h.detail ?? {}
  const status = str(d.status) ?? (typeof d.status === 'number' ? String(d.status) : null)
  switch (h.kind) {
    case 'entered':
      return { outcome: str(d.event) ? `Entered on “${str(d.event)}”` : 'Entered', tone: 'plain' }
    case 'event':
      return { outcome: str(d.event) ? `“${str(d.event)}” happened` : 'The event happened', tone: 'good' }
    case 'timeout':
      return { outcome: 'Timed out', tone: 'bad' }
    case 'branch':
      return { outcome: 'Branched', tone: 'plain' }
    case 'completed':
      return { outcome: 'Completed', tone: 'good' }
    case 'exited':
      return { outcome: 'Exited', tone: 'plain' }
    case 'migrated':
      return { outcome: 'Moved to a new version', tone: 'plain' }
    case 'message':
      return messageOutcome(status, d)
    case 'webhook':
      return webhookOutcome(status, d)
  }
}

function messageOutcome(status: string | null, d: Record<string, unknown>): { outcome: string; tone: TimelineStep['tone'] } {
  if (status === 'sent') {
    const rendered = d.rendered
    const to = rendered !== null && typeof rendered === 'object' && 'to' in rendered ? str(rendered.to) : null
    // No address: say so, rather than "sent to null".
    return { outcome: to ? `Message sent to ${to}` : 'Message sent, to no address', tone: to ? 'good' : 'bad' }
  }
  if (status === 'failed') return { outcome: `Message failed${str(d.reason) ? `: ${str(d.reason)}` : ''}`, tone: 'bad' }
  if (status === 'held') return { outcome: 'Message held', tone: 'plain' }
  if (status === 'skipped') return { outcome: `Message skipped${str(d.reason) ? `: ${str(d.reason)}` : ''}`, tone: 'bad' }
  return { outcome: 'Message queued', tone: 'plain' }
}

function webhookOutcome(status: string | null, d: Record<string, unknown>): { outcome: string; tone: TimelineStep['tone'] } {
  const delivery = str(d.deliveryStatus)
  const code = typeof d.status === 'number' ? ` (HTTP ${d.status})` : ''
  if (delivery === 'delivered') return { outcome: `Webhook delivered${code}`, tone: 'good' }
  if (delivery === 'failed' || delivery === 'dead') return { outcome: `Webhook failed${code}`, tone: 'bad' }
  if (delivery !== null) return { outcome: `Webhook attempt failed${code}, retrying`, tone: 'bad' }
  if (status === 'held') return { outcome: 'Webhook held', tone: 'plain' }
  if (status === 'skipped') return { outcome: 'Webhook skipped', tone: 'bad' }
  return { outcome: 'Webhook queued', tone: 'plain' }
}

/** The detail of a history item as short key/value lines: event, condition values, webhook attempt, reason. */
export function describeDetail(detail: Record<string, unknown> | null): [string, string][] {
  if (!detail) return []
  const out: [string, string][] = []
  for (const [k, v] of Object.entries(detail)) {
    if (v === undefined || v === null) continue
    const text = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)
    out.push([k, text.length > 160 ? `${text.slice(0, 157)}…` : text])
  }
  return out.slice(0, 12)
}
