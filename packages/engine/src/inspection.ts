import { own, type HistoryItem } from '@switchyard/schema'
import type { JourneyCatalog } from './catalog'
import type { RunsPage } from './engine'
import type { HistoryRecord, RunRecord } from './records'
import type { EngineStore, RunKey } from './store'
import { historyView, runView, type LabelOf } from './views'

/** The step names of each run's version, for history items' `nodeLabel`. */
export async function labelsOf(catalog: JourneyCatalog, runs: readonly { journeyId: string; version: number }[]): Promise<(run: { journeyId: string; version: number }) => LabelOf> {
  await catalog.ensure(runs)
  return (run) => {
    const labels = catalog.get(run.journeyId, run.version)?.labels
    return (nodeId) => (labels === undefined ? undefined : own(labels, nodeId))
  }
}

/** See `Engine.userRunsPage`. */
export async function runsPage(store: EngineStore, catalog: JourneyCatalog, journeyId: string, userId: string, o: { before?: RunKey; limit: number; historyLimit: number }): Promise<RunsPage> {
  const rows = await store.runsPage(journeyId, userId, { ...(o.before ? { before: o.before } : {}), limit: o.limit + 1 })
  const page = rows.slice(0, o.limit)
  const labels = await labelsOf(catalog, page)
  const runs = await Promise.all(
    page.map(async (run) => {
      const { items, next } = await historyPage(store, run.runId, 0, o.historyLimit)
      return { run: runView({ ...run, history: items }, labels(run)), historyNext: next }
    }),
  )
  const last = page.at(-1)
  return { runs, next: rows.length > o.limit && last ? { startedAt: last.startedAt, runId: last.runId } : null }
}

/** See `Engine.runHistoryPage`. */
export async function runHistory(store: EngineStore, catalog: JourneyCatalog, runId: string, o: { afterId: number; limit: number }): Promise<{ run: RunRecord; history: HistoryItem[]; next: number | null } | null> {
  const run = (await store.loadRuns([runId])).get(runId)
  if (!run) return null
  const { items, next } = await historyPage(store, runId, o.afterId, o.limit)
  const labelOf = (await labelsOf(catalog, [run]))(run)
  return { run, history: items.map((h) => historyView(h, labelOf)), next }
}

async function historyPage(store: EngineStore, runId: string, afterId: number, limit: number): Promise<{ items: HistoryRecord[]; next: number | null }> {
  const rows = await store.historyPage(runId, { afterId, limit: limit + 1 })
  const shown = rows.slice(0, limit)
  return { items: shown.map((r) => r.record), next: rows.length > limit ? (shown.at(-1)?.id ?? null) : null }
}
