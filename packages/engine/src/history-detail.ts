import { assertNever, dict, readPath, type Condition, type HistoryKind, type JourneyNode } from '@switchyard/schema'
import type { MachineEvent } from '@switchyard/compiler'
import type { LoadedVersion } from './catalog'
import type { RunRecord, StoredEvent } from './records'
import type { UserState } from './store'

type TrackEvent = Extract<MachineEvent, { type: 'track' }>

/** What a history row shows about its step: the event, the deadline, the values behind a branch. */
export function historyDetail(
  now: number,
  kind: HistoryKind,
  nodeId: string,
  loaded: LoadedVersion,
  run: RunRecord,
  event: TrackEvent | null,
  where: Condition | undefined,
  user: UserState,
): Record<string, unknown> | null {
  switch (kind) {
    case 'entered': {
      const node = loaded.nodes.get(nodeId)
      if (node?.type === 'trigger') return event ? { event: event.name, properties: event.properties } : null
      return { waitingFor: describeWait(node), until: run.waitingUntil === null ? null : new Date(run.waitingUntil).toISOString() }
    }
    case 'event':
      return event ? { event: event.name, properties: event.properties } : null
    case 'timeout':
      return { firedAt: new Date(now).toISOString() }
    case 'branch':
      return where ? { values: conditionValues(where, run.context.event, user) } : null
    case 'completed':
    case 'exited':
    case 'message':
    case 'webhook':
    case 'migrated':
      return null
    default:
      return assertNever(kind)
  }
}

function describeWait(node: JourneyNode | undefined): string | null {
  if (node?.type === 'waitForEvent') return node.data.activity ? `activity: ${node.data.activity.status}` : `event: ${node.data.event ?? ''}`
  if (node?.type === 'delay') return node.data.for ? 'delay' : `date: ${node.data.until?.path ?? ''}`
  return null
}

/** The value of every path a condition reads, to show why a branch was taken. */
function conditionValues(c: Condition, event: StoredEvent | null, user: UserState): Record<string, unknown> {
  const out = dict<unknown>()
  const scope = { event, user: { id: user.userId, traits: user.traits } }
  const visit = (x: Condition): void => {
    if ('all' in x) x.all.forEach(visit)
    else if ('any' in x) x.any.forEach(visit)
    else if ('not' in x) visit(x.not)
    else out[x.path] = readPath(scope, x.path) ?? null
  }
  visit(c)
  return out
}
