import type { NodeReferences } from '@switchyard/schema'
import { checkLiquid } from '@switchyard/webhooks'
import type { Integration, Integrations } from '../integrations'

/**
 * What a graph is checked against besides itself: the workspace's webhooks, providers and the
 * Liquid parser. The same for a draft's issues, publishing and simulations.
 */
export async function nodeReferences(integrations: Integrations): Promise<NodeReferences> {
  const idsFrom = async (read: (i: Integration) => Promise<ReadonlySet<string>> | undefined): Promise<ReadonlySet<string> | undefined> => {
    const sources = await Promise.all(integrations.flatMap((i) => read(i) ?? []))
    return sources.length === 0 ? undefined : new Set(sources.flatMap((s) => [...s]))
  }
  const [webhookIds, providerIds] = await Promise.all([idsFrom((i) => i.webhookIds?.()), idsFrom((i) => i.providerIds?.())])
  return { checkTemplate: checkLiquid, ...(webhookIds ? { webhookIds } : {}), ...(providerIds ? { providerIds } : {}) }
}
