import { Channel, own } from '@switchyard/schema'
import type { ReactElement } from 'react'
import { deliveryWarning, useProviders } from './providers'
import { useEditor } from './store'

/** At publish: the message steps whose channel has no real provider, by name. */
export function DeliveryWarnings(): ReactElement | null {
  const providers = useProviders((s) => s.providers)
  const nodes = useEditor((s) => s.nodes)
  const labels = useEditor((s) => s.labels)
  const stats = useEditor((s) => s.stats)
  const warnings = nodes.flatMap((n) => {
    if (n.type !== 'action') return []
    const channel = Channel.safeParse(n.data.channel)
    const name = labels[n.id] ?? 'Message'
    const w = deliveryWarning(channel.success ? channel.data : null, providers)
    const figures = own(stats?.nodes, n.id)?.messages
    const unreachable = figures && figures.noAddress > 0 ? `${name}: ${figures.noAddress} of ${figures.sent} users so far had no address on its channel.` : null
    return [...(w ? [`${name}: ${w}`] : []), ...(unreachable ? [unreachable] : [])]
  })
  if (warnings.length === 0) return null
  return (
    <ul className="issue-list warnings" data-testid="publish-warnings">
      {warnings.map((w) => (
        <li key={w}>{w}</li>
      ))}
    </ul>
  )
}
