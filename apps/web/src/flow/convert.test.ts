import { describe, expect, it } from 'vitest'
import { DraftGraph } from '@switchyard/schema'
import { fromFlow, toFlow } from './convert'

const graph = DraftGraph.parse({
  nodes: [
    { id: 't', type: 'trigger', position: { x: 0, y: 0 }, data: { event: 'add_to_cart' } },
    { id: 'w', type: 'waitForEvent', position: { x: 10.4, y: 140.6 }, data: { activity: { status: 'clicked' }, within: { amount: 2, unit: 'seconds' } } },
    { id: 'x', type: 'exit', position: { x: 0, y: 280 }, data: {} },
  ],
  edges: [
    { id: 't-next-w', source: 't', target: 'w', sourceHandle: 'next' },
    { id: 'w-timeout-x', source: 'w', target: 'x', sourceHandle: 'timeout' },
  ],
})

describe('toFlow / fromFlow', () => {
  it('round-trips a saved graph unchanged, positions rounded', () => {
    const { nodes, edges } = toFlow(graph)
    const back = fromFlow(nodes, edges)
    expect(back.edges).toEqual(graph.edges.map((e) => ({ ...e, sourceHandle: e.sourceHandle ?? null })))
    expect(back.nodes[1]?.position).toEqual({ x: 10, y: 141 })
    expect(back.nodes.map((n) => n.data)).toEqual(graph.nodes.map((n) => n.data))
  })

  it('drops canvas state: selection, measurements, dragging, edge type', () => {
    const { nodes, edges } = toFlow(graph)
    const touched = nodes.map((n) => ({ ...n, selected: true, dragging: true, measured: { width: 248, height: 100 } }))
    const back = fromFlow(touched, edges.map((e) => ({ ...e, selected: true })))
    expect(Object.keys(back.nodes[0] ?? {}).sort()).toEqual(['data', 'id', 'position', 'type'])
    expect(Object.keys(back.edges[0] ?? {}).sort()).toEqual(['id', 'source', 'sourceHandle', 'target'])
  })

  it('gives every edge the journey edge type and keeps its outlet as the source handle', () => {
    const { edges } = toFlow(graph)
    expect(edges[1]).toMatchObject({ type: 'journey', sourceHandle: 'timeout' })
  })

  it('does not share data objects between the saved graph and the canvas', () => {
    const { nodes } = toFlow(graph)
    expect(nodes[0]?.data).not.toBe(graph.nodes[0]?.data)
  })
})
