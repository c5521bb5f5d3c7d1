import { CHANNEL_LABELS, own, type MessageStats } from '@switchyard/schema'
import type { ReactElement } from 'react'
import { readChannel } from '../flow/nodeData'
import type { NodeData } from '../flow/types'
import { useEditor } from '../editor/store'
import { deliveryWarning, useProviders } from '../editor/providers'

const NO_FIGURES: MessageStats = { sent: 0, delivered: 0, opened: 0, clicked: 0, failed: 0, bounced: 0, noAddress: 0 }

/** A share of the messages sent, as the card shows it: `42%`, or nothing before the first send. */
export function rate(n: number, of: number): string {
  return of > 0 ? `${Math.round((n / of) * 100)}%` : ''
}

/** A message card's delivery figures, from the one stats call: sent, delivered, opened, clicked, failed (and bounced for email). */
export function ActionCard({ id, data }: { id: string; data: NodeData }): ReactElement | null {
  const figures = useEditor((s) => (s.stats ? (own(s.stats.nodes, id)?.messages ?? NO_FIGURES) : null))
  const noProvider = useProviders((s) => deliveryWarning(readChannel(data), s.providers))
  const channel = readChannel(data)
  // Users who got nothing because they have no address on the channel: their messages were "sent" to no one.
  const unreachable = figures && figures.noAddress > 0 ? `${figures.noAddress} of ${figures.sent} users had no ${channel ? CHANNEL_LABELS[channel] : ''} address: nobody got their message.` : null
  const warning = [noProvider, unreachable].filter((w) => w !== null).join(' ') || null
  // An amber mark in the card's corner, its sentence on hover: the card keeps its height.
  const shown = warning ? (
    <span className="jnode-warning" title={warning} role="img" aria-label={warning} data-testid="node-warning">
      !<span className="visually-hidden">{warning}</span>
    </span>
  ) : null
  if (!figures) return shown
  const email = readChannel(data) === 'email'
  const rows: [keyof MessageStats, string][] = [
    // Read down the columns: sent, opened; delivered, clicked; failed (and bounced).
    ['sent', 'sent'],
    ['delivered', 'deliv.'],
    ['failed', 'failed'],
    ['opened', 'opened'],
    ['clicked', 'clicked'],
    ...(email ? [['bounced', 'bounced'] as [keyof MessageStats, string]] : []),
  ]
  const tried = figures.sent + figures.failed
  return (
    <>
      {shown}
      <div className="jnode-figures" data-testid="node-figures">
        {rows.map(([key, label]) => {
          const share = key === 'sent' ? '' : rate(figures[key], key === 'failed' ? tried : figures.sent)
          return (
            <span key={key} className={(key === 'failed' || key === 'bounced') && figures[key] > 0 ? 'bad' : ''} title={`${figures[key]} ${key}${share ? ` (${share})` : ''}`}>
              <strong data-testid={`figure-${key}`}>{figures[key].toLocaleString()}</strong> {label}
              {share ? <span className="figure-rate" data-testid={`figure-${key}-rate`}> {share}</span> : null}
            </span>
          )
        })}
      </div>
    </>
  )
}
