import { describe, expect, it } from 'vitest'
import { nearestPrecedingAction } from './preceding'

describe('nearestPrecedingAction', () => {
  const nodes = [
    { id: 't', type: 'trigger', data: {} },
    { id: 'email', type: 'action', data: { channel: 'email' } },
    { id: 'd', type: 'delay', data: {} },
    { id: 'rcs', type: 'action', data: { channel: 'rcs' } },
    { id: 'w', type: 'waitForEvent', data: {} },
  ]
  it('finds the closest message upstream, through other steps', () => {
    const edges = [
      { id: '1', source: 't', target: 'email' },
      { id: '2', source: 'email', target: 'd' },
      { id: '3', source: 'd', target: 'rcs' },
      { id: '4', source: 'rcs', target: 'w' },
    ]
    expect(nearestPrecedingAction({ nodes, edges }, 'w')).toEqual({ nodeId: 'rcs', channel: 'rcs' })
    expect(nearestPrecedingAction({ nodes, edges }, 'rcs')).toEqual({ nodeId: 'email', channel: 'email' })
  })
  it('is null when no message precedes the node', () => {
    expect(nearestPrecedingAction({ nodes, edges: [{ id: '1', source: 't', target: 'w' }] }, 'w')).toBeNull()
  })
})
