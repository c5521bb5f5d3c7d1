import { describe, expect, it } from 'vitest'
import { validateGraph, type Graph } from '@switchyard/schema'
import { EXAMPLE_NAMES, loadExample } from '@switchyard/testkit'
import { compileJourney, END_STATE } from './compile'
import { canonicalJson } from './hash'

function validGraph(name: (typeof EXAMPLE_NAMES)[number]): Graph {
  const result = validateGraph(loadExample(name, 'wh_golden').graph)
  if (!result.ok) throw new Error(JSON.stringify(result.issues))
  return result.graph
}

describe('golden machine configs', () => {
  for (const name of EXAMPLE_NAMES) {
    it(`pins the config and hash of ${name}`, async () => {
      const compiled = compileJourney(validGraph(name))
      const text = `${JSON.stringify({ hash: compiled.hash, machine: compiled.machine }, null, 2)}\n`
      await expect(text).toMatchFileSnapshot(`./__golden__/${name}.json`)
    })
  }
})

describe('determinism', () => {
  it('gives byte-identical output for the same graph, whatever the order of nodes and edges or their positions', () => {
    const graph = validGraph('netcore-cart-rcs')
    const shuffled: Graph = {
      nodes: [...graph.nodes].reverse().map((n) => ({ ...n, position: { x: n.position.x + 500, y: -n.position.y } })),
      edges: [...graph.edges].reverse(),
    }
    const a = compileJourney(graph)
    const b = compileJourney(shuffled)
    expect(canonicalJson(b.machine)).toBe(canonicalJson(a.machine))
    expect(JSON.stringify(b.machine)).toBe(JSON.stringify(a.machine))
    expect(b.hash).toBe(a.hash)
  })

  it('changes the hash when behaviour changes', () => {
    const graph = validGraph('netcore-cart-rcs')
    const longer: Graph = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.type === 'waitForEvent' ? { ...n, data: { ...n.data, within: { amount: 16, unit: 'minutes' } } } : n)),
    }
    expect(compileJourney(longer).hash).not.toBe(compileJourney(graph).hash)
  })
})

describe('state keys', () => {
  it('keeps node ids that XState would read as paths or ids from breaking targets', () => {
    const graph: Graph = {
      nodes: [
        { id: 'a.b', type: 'trigger', position: { x: 0, y: 0 }, data: { event: 'x' } },
        { id: 'a#b', type: 'exit', position: { x: 0, y: 0 }, data: {} },
      ],
      edges: [{ id: 'e', source: 'a.b', target: 'a#b', sourceHandle: 'next' }],
    }
    const c = compileJourney(graph)
    expect(c.stateKeyOf).toEqual({ 'a#b': 'a_b', 'a.b': 'a_b_2' })
    expect(c.machine.states.a_b_2?.always?.[0]?.target).toBe('a_b')
    expect(c.nodeIdOf.a_b_2).toBe('a.b')
  })

  it('gives node ids named like Object.prototype members state keys XState reads as states', () => {
    const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty']
    const graph: Graph = {
      nodes: ids.map((id, i): Graph['nodes'][number] =>
        i === 0 ? { id, type: 'trigger', position: { x: 0, y: 0 }, data: { event: 'x' } } : { id, type: 'delay', position: { x: 0, y: 0 }, data: { for: { amount: 1, unit: 'hours' } } },
      ),
      edges: ids.slice(1).map((id, i) => ({ id: `e${i}`, source: ids[i] ?? '', target: id, sourceHandle: 'next' })),
    }
    const c = compileJourney(graph)
    for (const id of ids) {
      const key = c.stateKeyOf[id] ?? ''
      expect(key).not.toBe(id)
      expect(Object.hasOwn(c.machine.states, key)).toBe(true)
      expect(c.machine.states[key]?.meta?.nodeId).toBe(id)
      expect(c.nodeIdOf[key]).toBe(id)
    }
    expect(Object.getPrototypeOf(c.machine.states)).toBeNull()
    expect(c.machine.initial).toBe(c.stateKeyOf['__proto__'])
  })

  it('ends the run when an optional outlet is left unconnected', () => {
    const graph: Graph = {
      nodes: [
        { id: 't', type: 'trigger', position: { x: 0, y: 0 }, data: { event: 'x' } },
        { id: 'h', type: 'webhook', position: { x: 0, y: 0 }, data: { webhookId: 'w' } },
      ],
      edges: [{ id: 'e', source: 't', target: 'h', sourceHandle: 'next' }],
    }
    const h = compileJourney(graph).machine.states.h
    expect(h?.always?.[0]?.target).toBe(END_STATE)
    expect(h?.always?.[0]?.actions).toEqual([{ type: 'record', params: { nodeId: 'h', kind: 'completed', outlet: null } }])
  })
})
