import { describe, expect, it } from 'vitest'
import { insertIntoEdge, insertPosition, pasteOffset } from './insert'
import type { FlowEdge, FlowNode } from './types'

const n = (id: string, type: string, y: number): FlowNode => ({ id, type, position: { x: 0, y }, data: type === 'action' ? { channel: 'email', message: {} } : {} })
const e = (source: string, target: string): FlowEdge => ({ id: `${source}-next-${target}`, source, target, sourceHandle: 'next', type: 'journey' })

describe('inserting a step into a connection', () => {
  it('links source → new step → target and moves what follows down, keeping the chain straight', () => {
    const nodes = [n('t', 'trigger', 0), n('a', 'action', 200), n('x', 'exit', 400)]
    const edges = [e('t', 'a'), e('a', 'x')]
    const edge = edges[0] as FlowEdge
    const inserted = n('d', 'delay', 0)
    inserted.position = insertPosition(nodes, edge)
    const out = insertIntoEdge(nodes, edges, edge.id, inserted)
    expect(out?.edges.map((x) => `${x.source}>${x.target}:${x.sourceHandle}`).sort()).toEqual(['a>x:next', 'd>a:next', 't>d:next'])
    const pos = Object.fromEntries((out?.nodes ?? []).map((x) => [x.id, x.position]))
    expect(pos.d).toEqual({ x: 0, y: 200 })
    expect(pos.a?.y).toBeGreaterThanOrEqual(390)
    expect(pos.x?.y).toBeGreaterThan(pos.a?.y ?? 0)
    expect(new Set(Object.values(pos).map((p) => p.x))).toEqual(new Set([0]))
  })

  it('pastes copies below the copied group, not on top of it', () => {
    expect(pasteOffset([n('a', 'action', 0), n('b', 'exit', 200)]).y).toBeGreaterThan(330)
  })
})
