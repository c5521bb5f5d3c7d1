import { assertNever, type HistoryKind, type NodeOf, type NodeType, type Condition } from '@switchyard/schema'
import type { LoadedVersion } from './catalog'
import { ENGINE_KINDS } from './kinds'
import type { DetailInput, TrackEvent } from './kinds/kind'
import type { RunRecord } from './records'
import type { UserState } from './store'

/**
 * What a history row shows about its step: the event, the deadline, the values behind a branch.
 * A node's kind says what its arrival and branch rows show; the other rows read the same for all.
 */
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
  const node = loaded.nodes.get(nodeId)
  const own = node === undefined ? undefined : kindDetail(node.type, { now, kind, node, loaded, run, event, where, user })
  if (own !== undefined) return own
  switch (kind) {
    case 'event':
      return event ? { event: event.name, properties: event.properties } : null
    case 'timeout':
      return { firedAt: new Date(now).toISOString() }
    case 'entered':
    case 'branch':
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

function kindDetail<T extends NodeType>(type: T, input: DetailInput<NodeOf<T>>): Record<string, unknown> | null | undefined {
  return ENGINE_KINDS[type].detail(input)
}
