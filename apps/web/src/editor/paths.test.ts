import { describe, expect, it } from 'vitest'
import type { RunView } from '@switchyard/schema'
import { toFlow } from '../flow/convert'
import { pathOfRun } from './paths'

const { nodes, edges } = toFlow({
  nodes: [
    { id: 't', type: 'trigger', position: { x: 0, y: 0 }, data: {} },
    { id: 'w', type: 'waitForEvent', position: { x: 0, y: 0 }, data: {} },
    { id: 'h', type: 'webhook', position: { x: 0, y: 0 }, data: {} },
    { id: 'x', type: 'exit', position: { x: 0, y: 0 }, data: {} },
  ],
  edges: [
    { id: 't-w', source: 't', target: 'w', sourceHandle: 'next' },
    { id: 'w-h', source: 'w', target: 'h', sourceHandle: 'matched' },
    { id: 'w-x', source: 'w', target: 'x', sourceHandle: 'timeout' },
  ],
})

const at = '2025-01-01T00:00:00Z'
function run(history: RunView['history'], status: RunView['status'] = 'completed', currentNodeId: string | null = null): RunView {
  return { runId: 'r', version: 1, status, currentNodeId, waitingUntil: null, startedAt: at, endedAt: null, history }
}

describe('pathOfRun', () => {
  it('highlights the outlet the run left by', () => {
    const p = pathOfRun(
      run([
        { at, nodeId: 't', kind: 'entered', outlet: 'next', messageId: null, detail: null },
        { at, nodeId: 'w', kind: 'timeout', outlet: 'timeout', messageId: null, detail: null },
        { at, nodeId: 'x', kind: 'completed', outlet: null, messageId: null, detail: null },
      ]),
      nodes,
      edges,
    )
    expect(p.edges).toEqual({ 't-w': true, 'w-x': true })
    expect(Object.keys(p.nodes)).toEqual(['t', 'w', 'x'])
    expect(p.currentNodeId).toBeNull()
  })

  it('marks where an active run waits', () => {
    const p = pathOfRun(run([{ at, nodeId: 't', kind: 'entered', outlet: 'next', messageId: null, detail: null }], 'active', 'w'), nodes, edges)
    expect(p.currentNodeId).toBe('w')
    expect(p.nodes.w).toBe(2)
    expect(p.edges).toEqual({ 't-w': true })
  })
})
