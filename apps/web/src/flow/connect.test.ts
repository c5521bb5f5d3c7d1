import { describe, expect, it } from 'vitest'
import { checkConnection, type GraphShape } from './connect'

const graph: GraphShape = {
  nodes: [
    { id: 't', type: 'trigger' },
    { id: 'a', type: 'action' },
    { id: 'w', type: 'waitForEvent' },
    { id: 'h', type: 'webhook' },
    { id: 'x', type: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 't', target: 'a', sourceHandle: 'next' },
    { id: 'e2', source: 'a', target: 'w', sourceHandle: 'next' },
  ],
}

describe('checkConnection', () => {
  it('accepts an unused outlet to a later node', () => {
    expect(checkConnection(graph, { source: 'w', target: 'h', sourceHandle: 'matched' })).toEqual({ ok: true })
    expect(checkConnection(graph, { source: 'w', target: 'x', sourceHandle: 'timeout' })).toEqual({ ok: true })
  })

  it('refuses a second edge from the same outlet', () => {
    const r = checkConnection(graph, { source: 'a', target: 'h', sourceHandle: 'next' })
    expect(r.ok).toBe(false)
  })

  it('refuses edges into a trigger, out of an exit, and to the node itself', () => {
    expect(checkConnection(graph, { source: 'h', target: 't', sourceHandle: 'next' }).ok).toBe(false)
    expect(checkConnection(graph, { source: 'x', target: 'h', sourceHandle: 'next' }).ok).toBe(false)
    expect(checkConnection(graph, { source: 'h', target: 'h', sourceHandle: 'next' }).ok).toBe(false)
  })

  it('refuses loops', () => {
    const r = checkConnection(graph, { source: 'w', target: 'a', sourceHandle: 'matched' })
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('loop') })
  })

  it('refuses an outlet the node does not have', () => {
    expect(checkConnection(graph, { source: 'w', target: 'h', sourceHandle: 'yes' }).ok).toBe(false)
    expect(checkConnection(graph, { source: 'h', target: 'x', sourceHandle: 'matched' }).ok).toBe(false)
  })

  it('takes the only outlet when the handle is not given', () => {
    expect(checkConnection(graph, { source: 'h', target: 'x', sourceHandle: null })).toEqual({ ok: true })
    expect(checkConnection(graph, { source: 'w', target: 'x', sourceHandle: null }).ok).toBe(false)
  })

  it('ignores the edge being replaced', () => {
    expect(checkConnection(graph, { source: 'a', target: 'h', sourceHandle: 'next' }, 'e2')).toEqual({ ok: true })
  })

  it("takes a split's outlets from its branches, and names them by label", () => {
    const branches = [{ id: 'a', label: 'Control', percent: 50 }, { id: 'b', percent: 50 }]
    const split: GraphShape = {
      nodes: [...graph.nodes, { id: 's', type: 'split', data: { branches } }],
      edges: [...graph.edges, { id: 'e3', source: 's', target: 'h', sourceHandle: 'a' }],
    }
    expect(checkConnection(split, { source: 's', target: 'x', sourceHandle: 'b' })).toEqual({ ok: true })
    expect(checkConnection(split, { source: 's', target: 'x', sourceHandle: 'c' })).toEqual({ ok: false, reason: 'Choose one of the outlets: Control, b.' })
    expect(checkConnection(split, { source: 's', target: 'x', sourceHandle: 'a' })).toMatchObject({ ok: false, reason: expect.stringContaining('The Control outlet already leads') })
  })
})
