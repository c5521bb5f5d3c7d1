import type { NodeReferences } from '@switchyard/schema'
import { checkLiquid } from '@switchyard/webhooks'
import type { Integration, Integrations } from '../integrations'

/**
 * What a graph is checked against besides itself: the workspace's webhooks, providers and the
 * Liquid parser. The same for a draft's issues, publishing and simulations.
 */
export function nodeReferences(integrations: Integrations): NodeReferences {
  const idsFrom = (read: (i: Integration) => ReadonlySet<string> | undefined): ReadonlySet<string> | undefined => {
    const sources = integrations.flatMap((i) => read(i) ?? [])
    return sources.length === 0 ? undefined : new Set(sources.flatMap((s) => [...s]))
  }
  const webhookIds = idsFrom((i) => i.webhookIds?.())
  const providerIds = idsFrom((i) => i.providerIds?.())
  return { checkTemplate: checkLiquid, ...(webhookIds ? { webhookIds } : {}), ...(providerIds ? { providerIds } : {}) }
}
