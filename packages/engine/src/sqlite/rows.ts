import type { JourneyStatus, RunStatus, HistoryKind } from '@switchyard/schema'
import { JourneyStatus as JourneyStatusSchema, RunStatus as RunStatusSchema, HistoryKind as HistoryKindSchema } from '@switchyard/schema'
import type { HistoryRecord, JournalEntry, JourneyRecord, JourneyVersionRecord, RunRecord, TimerRecord } from '../records'
import { isRecord, StoredGraph, StoredHistoryDetail, StoredMachineRecord, StoredRunContextRecord, StoredSettings } from './stored'

/** Row shapes as SQLite returns them; turned into records at this one edge. */
export interface JournalRow {
  seq: number
  message_id: string
  type: string
  user_id: string
  payload: string
  timestamp: number
  received_at: number
}
export interface RunRow {
  run_id: string
  journey_id: string
  version: number
  user_id: string
  status: string
  state_key: string
  current_node_id: string | null
  context: string
  waiting_until: number | null
  started_at: number
  ended_at: number | null
}
export interface HistoryRow {
  run_id: string
  journey_id: string
  at: number
  node_id: string
  kind: string
  outlet: string | null
  message_id: string | null
  detail: string | null
}
export interface JourneyRow {
  id: string
  name: string
  status: string
  graph: string
  settings: string
  version: number | null
  published_hash: string | null
  created_at: number
  updated_at: number
}
export interface VersionRow {
  journey_id: string
  version: number
  graph: string
  settings: string
  machine: string
  hash: string
  published_at: number
}
export interface TimerRow {
  run_id: string
  node_id: string
  journey_id: string
  user_id: string
  due_at: number
}

function parseObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null
  const value: unknown = JSON.parse(text)
  return isRecord(value) ? value : null
}

export function journalFromRow(row: JournalRow): JournalEntry {
  // Freshly parsed, so the objects are used as they are: no copy per field.
  const payload = parseObject(row.payload) ?? {}
  const obj = (v: unknown): Record<string, unknown> | undefined => (isRecord(v) ? v : undefined)
  return {
    seq: row.seq,
    messageId: row.message_id,
    type: row.type === 'identify' ? 'identify' : 'track',
    userId: row.user_id,
    event: typeof payload.event === 'string' ? payload.event : undefined,
    properties: obj(payload.properties),
    traits: obj(payload.traits),
    context: obj(payload.context),
    timestamp: row.timestamp,
    receivedAt: row.received_at,
  }
}

export function runFromRow(row: RunRow): RunRecord {
  const context = StoredRunContextRecord.decode(row.context)
  return {
    runId: row.run_id,
    journeyId: row.journey_id,
    version: row.version,
    userId: row.user_id,
    status: runStatus(row.status),
    stateKey: row.state_key,
    currentNodeId: row.current_node_id,
    context,
    waitingUntil: row.waiting_until,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  }
}

function runStatus(s: string): RunStatus {
  return RunStatusSchema.parse(s)
}

export function historyFromRow(row: HistoryRow): HistoryRecord {
  const kind: HistoryKind = HistoryKindSchema.parse(row.kind)
  return {
    runId: row.run_id,
    journeyId: row.journey_id,
    at: row.at,
    nodeId: row.node_id,
    kind,
    outlet: row.outlet,
    messageId: row.message_id,
    detail: row.detail === null ? null : StoredHistoryDetail.decode(row.detail),
  }
}

export function journeyFromRow(row: JourneyRow): JourneyRecord {
  const status: JourneyStatus = JourneyStatusSchema.parse(row.status)
  return {
    id: row.id,
    name: row.name,
    status,
    graph: StoredGraph.decode(row.graph),
    settings: StoredSettings.decode(row.settings),
    version: row.version,
    publishedDraftHash: row.published_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function versionFromRow(row: VersionRow): JourneyVersionRecord {
  const { machine, compilerVersion } = StoredMachineRecord.decode(row.machine)
  return {
    journeyId: row.journey_id,
    version: row.version,
    graph: StoredGraph.decode(row.graph),
    settings: StoredSettings.decode(row.settings),
    machine,
    compilerVersion,
    hash: row.hash,
    publishedAt: row.published_at,
  }
}

export function timerFromRow(row: TimerRow): TimerRecord {
  return { runId: row.run_id, nodeId: row.node_id, journeyId: row.journey_id, userId: row.user_id, dueAt: row.due_at }
}
