import { canonicalJson } from '@switchyard/compiler'
import { fail, type DraftGraph, type Failure, type MigratePolicy, type PublishPreview, type WaitingGroup } from '@switchyard/schema'

export type GraphDiff = PublishPreview['diff']

/** A node as far as a run at it cares: its kind, its settings and where each of its outlets leads. */
function fingerprints(graph: DraftGraph): Map<string, { type: string; print: string }> {
  const outlets = new Map<string, string[]>()
  for (const e of graph.edges) outlets.set(e.source, [...(outlets.get(e.source) ?? []), `${e.sourceHandle ?? 'next'}>${e.target}`])
  return new Map(graph.nodes.map((n) => [n.id, { type: n.type, print: canonicalJson({ type: n.type, data: n.data, outlets: (outlets.get(n.id) ?? []).sort() }) }]))
}

/** Nodes added, removed and changed (settings or connections; positions do not count), each sorted by id. */
export function graphDiff(before: DraftGraph | null, after: DraftGraph): GraphDiff {
  const a = before === null ? new Map<string, { type: string; print: string }>() : fingerprints(before)
  const b = fingerprints(after)
  const sort = (ids: string[]) => ids.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
  return {
    added: sort([...b.keys()].filter((id) => !a.has(id))),
    removed: sort([...a.keys()].filter((id) => !b.has(id))),
    changed: sort([...b.keys()].filter((id) => a.has(id) && a.get(id)?.print !== b.get(id)?.print)),
  }
}

/** The users waiting at one node of one older version (from the runs table). */
export interface ActiveGroup {
  version: number
  nodeId: string
  count: number
}

/**
 * Where each group of waiting users goes under `policy`. A group moves to the mapped node or the
 * node of the same id, provided it is a step of the same kind (a run waits there with the same
 * kind of timer); otherwise its node counts as removed and `onRemoved` decides. A map naming a
 * node that is not in the new version, or one of another kind, is refused whole.
 */
export function planGroups(
  groups: readonly ActiveGroup[],
  graphs: ReadonlyMap<number, DraftGraph>,
  next: DraftGraph,
  policy: MigratePolicy,
): WaitingGroup[] | Failure<'migration.invalid_map'> {
  const nextType = new Map(next.nodes.map((n) => [n.id, n.type]))
  const map = policy.map ?? {}
  const problems: { from: string; to: string; message: string }[] = []
  const typeIn = (version: number, nodeId: string) => graphs.get(version)?.nodes.find((n) => n.id === nodeId)?.type
  for (const [from, to] of Object.entries(map)) {
    const fromTypes = [...graphs.keys()].map((v) => typeIn(v, from)).filter((t) => t !== undefined)
    if (fromTypes.length === 0) problems.push({ from, to, message: `No user waits at a step “${from}” of an older version: map only steps listed under “waiting”.` })
    else if (!nextType.has(to)) problems.push({ from, to, message: `The new version has no step “${to}”: map “${from}” to one of its steps.` })
    else if (!fromTypes.every((t) => t === nextType.get(to))) problems.push({ from, to, message: `“${from}” is a ${fromTypes[0] ?? ''} step and “${to}” a ${nextType.get(to) ?? ''} step: map a step to one of the same kind.` })
  }
  if (problems.length > 0) return fail('migration.invalid_map', problems.map((p) => p.message).join(' '), problems)
  return groups.map((g) => {
    const mapped = Object.hasOwn(map, g.nodeId) ? map[g.nodeId] : undefined
    const candidate = mapped ?? g.nodeId
    const to = nextType.get(candidate) !== undefined && nextType.get(candidate) === typeIn(g.version, g.nodeId) ? candidate : null
    const action: WaitingGroup['action'] = policy.policy === 'keep' ? 'keep' : to !== null ? 'move' : policy.onRemoved === 'exit' ? 'exit' : 'keep'
    return { version: g.version, nodeId: g.nodeId, users: g.count, to, action }
  })
}
