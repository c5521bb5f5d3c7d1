import { canonicalJson, sha256 } from '@switchyard/compiler'
import type { DraftGraph, JourneySettings } from '@switchyard/schema'
import type { HistoryItem, Journey, JourneyVersion, RunView } from '@switchyard/schema'
import type { HistoryRecord, JourneyRecord, JourneyVersionRecord } from './records'
import type { RunWithHistory } from './store'

const iso = (ms: number) => new Date(ms).toISOString()
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms))

/** A step's name on a run's version; see `Engine.labelsOf`. */
export type LabelOf = (nodeId: string) => string | undefined

export function historyView(h: HistoryRecord, labelOf: LabelOf = () => undefined): HistoryItem {
  const item: HistoryItem = { at: iso(h.at), nodeId: h.nodeId, kind: h.kind, outlet: h.outlet, messageId: h.messageId, detail: h.detail }
  const label = labelOf(h.nodeId)
  if (label !== undefined) item.nodeLabel = label
  return item
}

export function runView(r: RunWithHistory, labelOf: LabelOf = () => undefined): RunView {
  return {
    runId: r.runId,
    version: r.version,
    status: r.status,
    currentNodeId: r.currentNodeId,
    waitingUntil: r.status === 'active' ? isoOrNull(r.waitingUntil) : null,
    startedAt: iso(r.startedAt),
    endedAt: isoOrNull(r.endedAt),
    history: r.history.map((h) => historyView(h, labelOf)),
  }
}

export function journeyView(j: JourneyRecord, activeUsers: number): Journey {
  return {
    id: j.id,
    name: j.name,
    status: j.status,
    graph: j.graph,
    settings: j.settings,
    version: j.version,
    hasUnpublishedChanges: j.version === null || j.publishedDraftHash !== draftHash(j),
    activeUsers,
    createdAt: iso(j.createdAt),
    updatedAt: iso(j.updatedAt),
  }
}

export function versionView(v: JourneyVersionRecord, activeUsers: number): JourneyVersion {
  return { version: v.version, publishedAt: iso(v.publishedAt), hash: v.hash, activeUsers }
}

/** What publishing depends on: the graph without canvas positions, and the settings. */
export function draftHash(j: { graph: DraftGraph; settings: JourneySettings }): string {
  const nodes = j.graph.nodes.map(({ position: _p, ...rest }) => rest)
  return sha256(canonicalJson({ nodes, edges: j.graph.edges, settings: j.settings }))
}
