import { describe, expect, it } from 'vitest'
import { buildStats } from './stats'

describe('journey stats', () => {
  it('count node ids and outlets named like Object.prototype members as plain keys', () => {
    const counters = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'].flatMap((nodeId) => [
      { journeyId: 'j', version: 1, nodeId, metric: 'entered', delta: 2 },
      { journeyId: 'j', version: 1, nodeId, metric: 'outlet:__proto__', delta: 1 },
      { journeyId: 'j', version: 1, nodeId, metric: 'outlet:constructor', delta: 1 },
    ])
    const stats = buildStats(counters, [{ nodeId: '__proto__', count: 3 }, { nodeId: 'constructor', count: 1 }])
    expect(Object.keys(stats.nodes)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])
    expect(stats.nodes['__proto__']).toEqual({ entered: 2, active: 3, outlets: JSON.parse('{"__proto__": 1, "constructor": 1}') })
    expect(stats.nodes['valueOf']?.entered).toBe(2)
    expect(JSON.parse(JSON.stringify(stats)).nodes.constructor.active).toBe(1)
    expect(({} as Record<string, unknown>)['entered']).toBeUndefined()
  })
})
