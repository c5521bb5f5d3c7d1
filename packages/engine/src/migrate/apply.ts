import type { WaitingGroup } from '@switchyard/schema'
import type { RunRecord } from '../records'
import { emptyCommit, type EngineCommit } from '../store'

export interface MigrationOutcome {
  moved: number
  exited: number
  kept: number
}

const key = (version: number, nodeId: string) => `${version}\u0000${nodeId}`

/** The version runs move to: its id, and its compiled machine's state key of each node. */
export interface MigrationTarget {
  journeyId: string
  version: number
  stateKeyOf: Readonly<Record<string, string>>
}

/**
 * The commit that moves or exits the journey's active runs of older versions as the plan says; the
 * store calls it with the runs it read inside the publish's transaction (`EngineCommit.version`),
 * so all of them move or none, and none from a stale read. A moved run keeps
 * its id and its timer's due time (under the new node id when mapped), takes the new version's
 * state for its node, and gets a `migrated` history item.
 */
export function migrationCommit(activeRuns: readonly RunRecord[], plan: readonly WaitingGroup[], target: MigrationTarget, now: number): { commit: EngineCommit; outcome: MigrationOutcome } {
  const decided = new Map(plan.map((g) => [key(g.version, g.nodeId), g]))
  const commit = emptyCommit()
  const outcome: MigrationOutcome = { moved: 0, exited: 0, kept: 0 }
  for (const run of activeRuns) {
    const group = run.version < target.version && run.currentNodeId !== null ? decided.get(key(run.version, run.currentNodeId)) : undefined
    const from = run.currentNodeId
    if (group === undefined || from === null || group.action === 'keep') {
      if (run.version < target.version) outcome.kept++
      continue
    }
    if (group.action === 'exit') {
      commit.timersCleared.push({ runId: run.runId, nodeId: from })
      commit.history.push({ runId: run.runId, journeyId: run.journeyId, at: now, nodeId: from, kind: 'exited', outlet: null, messageId: null, detail: { reason: `Step “${from}” is not in version ${target.version}, published with onRemoved: exit.` } })
      commit.counters.push({ journeyId: run.journeyId, version: run.version, nodeId: from, metric: 'exited', delta: 1 })
      commit.runs.set(run.runId, { ...run, status: 'exited', endedAt: now, waitingUntil: null })
      outcome.exited++
      continue
    }
    const to = group.to
    const stateKey = to === null ? undefined : target.stateKeyOf[to]
    if (to === null || stateKey === undefined) throw new Error(`migration plan moves to a node the compiled version lacks: ${String(to)}`)
    if (to !== from) {
      commit.timersCleared.push({ runId: run.runId, nodeId: from })
      if (run.waitingUntil !== null) commit.timersSet.push({ runId: run.runId, nodeId: to, journeyId: run.journeyId, userId: run.userId, dueAt: run.waitingUntil })
    }
    commit.history.push({
      runId: run.runId,
      journeyId: run.journeyId,
      at: now,
      nodeId: to,
      kind: 'migrated',
      outlet: null,
      messageId: null,
      detail: { fromVersion: run.version, toVersion: target.version, fromNodeId: from, toNodeId: to, waitingUntil: run.waitingUntil === null ? null : new Date(run.waitingUntil).toISOString() },
    })
    commit.runs.set(run.runId, { ...run, version: target.version, stateKey, currentNodeId: to, context: { ...run.context, version: target.version } })
    outcome.moved++
  }
  return { commit, outcome }
}
