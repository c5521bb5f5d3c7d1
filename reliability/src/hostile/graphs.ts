import type { DraftGraph } from '@switchyard/schema'

type Node = DraftGraph['nodes'][number]
type Edge = DraftGraph['edges'][number]

/** trigger -> n-2 conditions in a chain (both outlets to the next) -> exit: n nodes in all. */
export function conditionChain(n: number, event: string): DraftGraph {
  const nodes: Node[] = [{ id: 't', type: 'trigger', position: { x: 0, y: 0 }, data: { event } }]
  const edges: Edge[] = []
  let prev = 't'
  for (let i = 0; i < n - 2; i++) {
    const id = `c${i}`
    nodes.push({ id, type: 'condition', position: { x: 0, y: i * 10 }, data: { where: { path: 'user.traits.plan', op: 'eq', value: 'pro' } } })
    if (prev === 't') edges.push({ id: `e${i}`, source: prev, target: id, sourceHandle: 'next' })
    else edges.push({ id: `y${i}`, source: prev, target: id, sourceHandle: 'yes' }, { id: `n${i}`, source: prev, target: id, sourceHandle: 'no' })
    prev = id
  }
  nodes.push({ id: 'x', type: 'exit', position: { x: 0, y: 0 }, data: {} })
  edges.push({ id: 'xy', source: prev, target: 'x', sourceHandle: 'yes' }, { id: 'xn', source: prev, target: 'x', sourceHandle: 'no' })
  return { nodes, edges }
}

/** A condition nested `depth` levels deep with `not`. */
export function nestedCondition(depth: number): unknown {
  let c: unknown = { path: 'user.traits.plan', op: 'eq', value: 'pro' }
  for (let i = 0; i < depth; i++) c = { not: c }
  return c
}
