import type { JourneyStatus, RunStatus, HistoryKind } from '@switchyard/schema'
import { JourneyStatus as JourneyStatusSchema, RunStatus as RunStatusSchema, HistoryKind as HistoryKindSchema } from '@switchyard/schema'
import type { IngestedEvent } from '@switchyard/schema'
import type { GoalWatch, HistoryRecord, JournalEntry, JourneyRecord, JourneyVersionRecord, RunRecord, TimerRecord, UserRecord } from './records'
import type { StoredOutboxClaim } from './store'
import { isRecord, StoredGoalOutlets, StoredGraph, StoredHistoryDetail, StoredMachineRecord, StoredOutboxJob, StoredRunContextRecord, StoredSettings, StoredTraits } from './stored'

/**
 * Row shapes as both backends return them (JSON columns as text, times as numbers); turned into
 * records at this one edge, and records into column values for writes.
 */
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

export interface GoalWatchRow {
  run_id: string
  journey_id: string
  version: number
  user_id: string
  entered_at: number
  deadline: number
  control: number
  trigger_message_id: string
  outlets: string | null
}

export function goalWatchFromRow(w: GoalWatchRow): GoalWatch {
  return {
    runId: w.run_id,
    journeyId: w.journey_id,
    version: w.version,
    userId: w.user_id,
    enteredAt: w.entered_at,
    deadline: w.deadline,
    control: w.control === 1,
    triggerMessageId: w.trigger_message_id,
    ...(w.outlets === null ? {} : { outlets: StoredGoalOutlets.decode(w.outlets) }),
  }
}

export function goalWatchColumns(w: GoalWatch): [string, string, number, string, number, number, number, string, string | null] {
  return [w.runId, w.journeyId, w.version, w.userId, w.enteredAt, w.deadline, w.control ? 1 : 0, w.triggerMessageId, w.outlets === undefined ? null : StoredGoalOutlets.encode(w.outlets)]
}

export interface UserRow {
  user_id: string
  traits: string
}

export function userFromRow(row: UserRow): UserRecord {
  return { userId: row.user_id, traits: StoredTraits.decode(row.traits) }
}

export interface OutboxRow {
  id: string
  job: string
  created_at: number
  attempts: number
}

export function outboxClaimFromRow(r: OutboxRow): StoredOutboxClaim {
  const job = StoredOutboxJob.decode(r.job)
  return { id: r.id, kind: job.kind, job, createdAt: r.created_at, attempts: r.attempts }
}

/** `run_id, journey_id, version, user_id, status, state_key, current_node_id, context, waiting_until, started_at, ended_at, updated_at`. */
export function runColumns(r: RunRecord): [string, string, number, string, string, string, string | null, string, number | null, number, number | null, number] {
  return [r.runId, r.journeyId, r.version, r.userId, r.status, r.stateKey, r.currentNodeId, StoredRunContextRecord.encode(r.context), r.waitingUntil, r.startedAt, r.endedAt, r.endedAt ?? r.startedAt]
}

/** `run_id, journey_id, at, node_id, kind, outlet, message_id, detail`. */
export function historyColumns(h: HistoryRecord): [string, string, number, string, string, string | null, string | null, string | null] {
  return [h.runId, h.journeyId, h.at, h.nodeId, h.kind, h.outlet, h.messageId, h.detail === null ? null : StoredHistoryDetail.encode(h.detail)]
}

/** `name, graph, settings, updated_at` of a journey row: what a draft edit writes. */
export function draftColumns(j: JourneyRecord): [string, string, string, number] {
  return [j.name, StoredGraph.encode(j.graph), StoredSettings.encode(j.settings), j.updatedAt]
}

/** `status, version, published_hash, updated_at` of a journey row: what a publish writes. */
export function publishedColumns(j: JourneyRecord): [string, number | null, string | null, number] {
  return [j.status, j.version, j.publishedDraftHash, j.updatedAt]
}

/** `name, status, graph, settings, version, published_hash, updated_at` of a journey row. */
export function journeyColumns(j: JourneyRecord): [string, string, string, string, number | null, string | null, number] {
  return [j.name, j.status, StoredGraph.encode(j.graph), StoredSettings.encode(j.settings), j.version, j.publishedDraftHash, j.updatedAt]
}

/** `graph, settings, machine, hash, published_at` of a version row. */
export function versionColumns(v: JourneyVersionRecord): [string, string, string, string, number] {
  return [StoredGraph.encode(v.graph), StoredSettings.encode(v.settings), StoredMachineRecord.encode({ compilerVersion: v.compilerVersion, machine: v.machine }), v.hash, v.publishedAt]
}

/** The journal's payload column: what of an event is not a column of its own. */
export function journalPayload(e: IngestedEvent): string {
  return JSON.stringify({ event: e.event, properties: e.properties, traits: e.traits, context: e.context })
}

/** The fields of an ingested event that the journal keeps, exactly as a read gives them back. */
export function journalFields(e: IngestedEvent, seq: number): JournalEntry {
  return {
    seq,
    messageId: e.messageId,
    type: e.type,
    userId: e.userId,
    event: e.event,
    properties: e.properties,
    traits: e.traits,
    context: e.context,
    timestamp: e.timestamp,
    receivedAt: e.receivedAt,
  }
}

/** A journey row joined with its latest version's columns (`v_*`), as `publishedJourneys` reads it. */
export interface PublishedRow extends JourneyRow {
  v_machine: string
  v_graph: string
  v_settings: string
  v_hash: string
  v_published_at: number
}

export function publishedFromRow(row: PublishedRow): { journey: JourneyRecord; latest: JourneyVersionRecord } {
  const journey = journeyFromRow(row)
  const latest = versionFromRow({
    journey_id: row.id,
    version: row.version ?? 0,
    graph: row.v_graph,
    settings: row.v_settings,
    machine: row.v_machine,
    hash: row.v_hash,
    published_at: row.v_published_at,
  })
  return { journey, latest }
}

/** The columns of a run row, in the order `runFromRow` reads them (both stores select these). */
export const RUN_COLUMNS = 'run_id, journey_id, version, user_id, status, state_key, current_node_id, context, waiting_until, started_at, ended_at'
