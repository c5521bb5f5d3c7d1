import type { IngestedEvent, OutboxJob } from '@switchyard/schema'
import type { GoalWatch, HistoryRecord, JourneyRecord, JourneyVersionRecord, OutboxRecord, RunRecord, TimerRecord } from '../records'

/** Records and helpers the store contract's sections build their cases from. */
export const T0 = Date.UTC(2026, 0, 1)
/** Text that array literals and JSON both escape: quotes, backslashes, braces, commas, non-ASCII, an escaped NUL. */
export const AWKWARD = { text: 'a "quoted" \\ back\\slash, {brace} é 😀 \\u0000 NULL', nested: { list: ['"', '\\', ''] } }
export const MIN = 60_000
export const DAY = 86_400_000

export function ev(userId: string, messageId: string): IngestedEvent {
  return { messageId, type: 'track', userId, event: 'Signed Up', properties: {}, timestamp: T0, receivedAt: T0 }
}

export function journey(id: string, status: JourneyRecord['status'] = 'live', createdAt = T0): JourneyRecord {
  return { id, name: `Journey ${id}`, status, graph: { nodes: [], edges: [] }, settings: { reentry: 'afterExit' }, version: null, publishedDraftHash: null, createdAt, updatedAt: createdAt }
}

export function version(journeyId: string, v: number): JourneyVersionRecord {
  return {
    journeyId,
    version: v,
    graph: { nodes: [], edges: [] },
    settings: { reentry: 'afterExit' },
    machine: { id: journeyId, initial: 't', states: {} },
    hash: `hash-${v}`,
    compilerVersion: 3,
    publishedAt: T0 + v,
  }
}

export function runOf(runId: string, journeyId: string, userId: string, o: Partial<RunRecord> = {}): RunRecord {
  const v = o.version ?? 1
  return {
    runId,
    journeyId,
    version: v,
    userId,
    status: 'active',
    stateKey: '"t"',
    currentNodeId: 't',
    context: { runId, journeyId, version: v, userId, event: null, message: null, control: false },
    waitingUntil: null,
    startedAt: T0,
    endedAt: null,
    ...o,
  }
}

export function hist(runId: string, journeyId: string, kind: HistoryRecord['kind'], at: number): HistoryRecord {
  return { runId, journeyId, at, nodeId: 'n', kind, outlet: null, messageId: null, detail: { why: kind } }
}

export function timer(runId: string, nodeId: string, journeyId: string, userId: string, dueAt: number): TimerRecord {
  return { runId, nodeId, journeyId, userId, dueAt }
}

export function counter(journeyId: string, nodeId: string, metric: string, delta: number, v = 1) {
  return { journeyId, version: v, nodeId, metric, delta }
}

export function watch(runId: string, journeyId: string, userId: string): GoalWatch {
  return { runId, journeyId, version: 1, userId, enteredAt: T0, deadline: T0 + DAY, control: false, triggerMessageId: 'm0' }
}

export function outbox(id: string, kind: OutboxJob['kind'], userId: string): OutboxRecord {
  const context = { workspace: 'acme', journey: { id: 'j1', name: 'J', version: 1 }, runId: 'r1', nodeId: 'n', user: { id: userId, traits: {} }, event: null, message: null }
  const job: OutboxJob =
    kind === 'message'
      ? { kind, id, channel: 'sms', providerId: null, message: { text: 'hi' }, context, createdAt: T0 }
      : { kind, id, webhookId: 'wh_1', params: [], customParams: {}, body: { kind: 'activity' }, context, createdAt: T0 }
  return { id, kind, job, createdAt: T0 }
}

export function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => key(a).localeCompare(key(b)))
}

/** Drops `undefined` fields, as a database round trip does. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null))
}
