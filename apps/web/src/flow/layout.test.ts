import { describe, expect, it } from 'vitest'
import { autoLayout } from './layout'
import type { FlowEdge, FlowNode } from './types'

const node = (id: string, type: string, width?: number): FlowNode => ({ id, type, position: { x: 0, y: 0 }, data: {}, ...(width ? { measured: { width, height: 120 } } : {}) })
const edge = (source: string, outlet: string, target: string): FlowEdge => ({ id: `${source}-${outlet}-${target}`, source, target, sourceHandle: outlet, type: 'journey' })

describe('tidy up', () => {
  it('keeps a chain straight, whatever the cards measure', () => {
    const nodes = Array.from({ length: 40 }, (_, i) => node(`n${i}`, i === 0 ? 'trigger' : 'action', i % 3 === 0 ? 248 : 300))
    const edges = nodes.slice(1).map((n, i) => edge(`n${i}`, 'next', n.id))
    const at = autoLayout(nodes, edges)
    const centres = new Set(nodes.map((n) => (at.get(n.id)?.x ?? 0) + (n.measured?.width ?? 248) / 2))
    expect(centres.size).toBe(1)
    const ys = nodes.map((n) => at.get(n.id)?.y ?? 0)
    expect(ys).toEqual([...ys].sort((a, b) => a - b))
  })

  it('balances a branch under its step: matched on the left, timeout on the right', () => {
    const nodes = [node('t', 'trigger'), node('w', 'waitForEvent'), node('yes', 'exit'), node('no', 'exit')]
    const at = autoLayout(nodes, [edge('t', 'next', 'w'), edge('w', 'matched', 'yes'), edge('w', 'timeout', 'no')])
    const x = (id: string) => at.get(id)?.x ?? 0
    expect(x('t')).toBe(x('w'))
    expect(x('yes')).toBeLessThan(x('w'))
    expect(x('no')).toBeGreaterThan(x('w'))
    expect(x('w') - x('yes')).toBe(x('no') - x('w'))
  })
})
