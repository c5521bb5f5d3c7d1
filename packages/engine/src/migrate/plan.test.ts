import { describe, expect, it } from 'vitest'
import { action, days, delayFor, edge, exit, graph, trigger, waitEvent } from '@switchyard/testkit'
import { graphDiff, planGroups } from './plan'

const v1 = graph(
  [trigger('t', 'signed_up'), waitEvent('wait', 'purchase', days(2)), delayFor('pause', days(1)), exit('out')],
  [edge('t', 'next', 'wait'), edge('wait', 'matched', 'out'), edge('wait', 'timeout', 'pause'), edge('pause', 'next', 'out')],
)

describe('the publish diff', () => {
  it('counts a changed setting or connection as a change, and a moved card as none', () => {
    const moved = { ...v1, nodes: v1.nodes.map((n) => ({ ...n, position: { x: 500, y: 500 } })) }
    expect(graphDiff(v1, moved)).toEqual({ added: [], removed: [], changed: [] })
    const next = graph(
      [trigger('t', 'signed_up'), waitEvent('wait', 'purchase', days(3)), action('sms', 'sms', { text: 'Hi' }), exit('out')],
      [edge('t', 'next', 'wait'), edge('wait', 'matched', 'out'), edge('wait', 'timeout', 'sms'), edge('sms', 'next', 'out')],
    )
    expect(graphDiff(v1, next)).toEqual({ added: ['sms'], removed: ['pause'], changed: ['wait'] })
    expect(graphDiff(null, v1).added).toEqual(['out', 'pause', 't', 'wait'])
  })
})

describe('where waiting users go', () => {
  const groups = [
    { version: 1, nodeId: 'wait', count: 4 },
    { version: 1, nodeId: 'pause', count: 2 },
  ]
  const graphs = new Map([[1, v1]])

  it('moves to the same id only when it is a step of the same kind there; otherwise the step counts as removed', () => {
    // In the new version "pause" is a wait, not a delay: its users cannot wait there the same way.
    const next = graph([trigger('t', 'signed_up'), waitEvent('wait', 'purchase', days(2)), waitEvent('pause', 'x', days(1)), exit('out')], [])
    expect(planGroups(groups, graphs, next, { policy: 'move', onRemoved: 'exit' })).toEqual([
      { version: 1, nodeId: 'wait', users: 4, to: 'wait', action: 'move' },
      { version: 1, nodeId: 'pause', users: 2, to: null, action: 'exit' },
    ])
    expect(planGroups(groups, graphs, next, { policy: 'keep', onRemoved: 'exit' })).toMatchObject([{ action: 'keep' }, { action: 'keep' }])
  })

  it('follows the map to a renamed step, and refuses a map to a missing step or one of another kind, naming each', () => {
    const next = graph([trigger('t', 'signed_up'), waitEvent('wait-2', 'purchase', days(2)), delayFor('rest', days(1)), exit('out')], [])
    expect(planGroups(groups, graphs, next, { policy: 'move', onRemoved: 'keep', map: { wait: 'wait-2', pause: 'rest' } })).toEqual([
      { version: 1, nodeId: 'wait', users: 4, to: 'wait-2', action: 'move' },
      { version: 1, nodeId: 'pause', users: 2, to: 'rest', action: 'move' },
    ])
    const refused = planGroups(groups, graphs, next, { policy: 'move', onRemoved: 'keep', map: { wait: 'rest', pause: 'gone', nowhere: 'rest' } })
    expect(refused).toMatchObject({ ok: false, code: 'migration.invalid_map' })
    if (!('code' in refused)) throw new Error('expected a refusal')
    expect(refused.details).toEqual([
      { from: 'wait', to: 'rest', message: expect.stringContaining('of the same kind') },
      { from: 'pause', to: 'gone', message: expect.stringContaining('has no step “gone”') },
      { from: 'nowhere', to: 'rest', message: expect.stringContaining('No user waits at a step “nowhere”') },
    ])
  })
})
