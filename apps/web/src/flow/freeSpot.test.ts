import { describe, expect, it } from 'vitest'
import { freeSpot } from './freeSpot'

describe('freeSpot', () => {
  it('keeps the wanted point when it is free, and moves off a step that is there', () => {
    expect(freeSpot([], { x: 10, y: 20 })).toEqual({ x: 10, y: 20 })
    const nodes = [{ id: 'a', position: { x: 0, y: 0 }, data: {}, measured: { width: 248, height: 120 } }]
    const spot = freeSpot(nodes, { x: 10, y: 20 })
    const apart = spot.x >= 248 + 32 || spot.x + 248 + 32 <= 0 || spot.y >= 120 + 32 || spot.y + 110 + 32 <= 0
    expect(apart).toBe(true)
  })
})
