import type { DraftGraph, Failure, MigratePolicy, PublishPreview, WaitingGroup } from '@switchyard/schema'
import type { EngineStore } from '../store'
import { graphDiff, planGroups } from './plan'

/**
 * What publishing `next` would change for a journey: the diff against its latest version, and
 * where each group of users waiting on a published version would go under `policy`.
 */
export async function previewMigration(
  store: EngineStore,
  journey: { id: string; version: number | null },
  next: DraftGraph,
  policy: MigratePolicy,
): Promise<PublishPreview | Failure<'migration.invalid_map'>> {
  const latest = journey.version === null ? null : await store.getVersion(journey.id, journey.version)
  const groups = (await store.activeCounts(journey.id)).flatMap((a) => (a.nodeId === null ? [] : [{ version: a.version, nodeId: a.nodeId, count: a.count }]))
  const graphs = new Map<number, DraftGraph>()
  for (const v of new Set(groups.map((g) => g.version))) {
    const stored = await store.getVersion(journey.id, v)
    if (stored) graphs.set(v, stored.graph)
  }
  const waiting: WaitingGroup[] | Failure<'migration.invalid_map'> = planGroups(
    groups.sort((a, b) => a.version - b.version || (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0)),
    graphs,
    next,
    policy,
  )
  if (!Array.isArray(waiting)) return waiting
  return { diff: graphDiff(latest?.graph ?? null, next), waiting, version: (journey.version ?? 0) + 1 }
}
