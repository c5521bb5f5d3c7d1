import { describe, expect, it } from 'vitest'
import { DEFAULT_PARTITIONS, partitionOf } from './partition'

describe('partitionOf', () => {
  it('is a fixed function of the user id: pinned values never change', () => {
    expect(['ann', 'bob', 'user-1', 'émile'].map((u) => partitionOf(u, DEFAULT_PARTITIONS))).toEqual([24, 20, 52, 12])
    // FNV-1a of "a" is 0xe40c292c; of "" the offset basis 0x811c9dc5.
    expect(partitionOf('a', 1_000_000_007)).toBe(0xe40c292c % 1_000_000_007)
    expect(partitionOf('', 1_000_000_007)).toBe(0x811c9dc5 % 1_000_000_007)
  })

  it('spreads 10,000 users over 64 partitions within 30% of even', () => {
    const counts = new Array<number>(64).fill(0)
    for (let i = 0; i < 10_000; i++) counts[partitionOf(`user-${i}`, 64)]!++
    expect(Math.min(...counts)).toBeGreaterThan(156 * 0.7)
    expect(Math.max(...counts)).toBeLessThan(156 * 1.3)
  })
})
