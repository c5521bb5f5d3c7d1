import { describe, expect, it } from 'vitest'
import { coalesce } from './coalesce'

describe('coalesce', () => {
  it('gives the calls of one turn one write, each its own answer, and a later call a write of its own', async () => {
    const writes: number[][] = []
    const double = coalesce(async (items: number[]) => (writes.push(items), items.map((i) => i * 2)))
    expect(await Promise.all([double(1), double(2), double(3)])).toEqual([2, 4, 6])
    expect(await double(4)).toBe(8)
    expect(writes).toEqual([[1, 2, 3], [4]])
  })

  it('fails every call of a write that failed, and the next write goes on', async () => {
    let fail = true
    const put = coalesce(async (items: string[]) => {
      if (fail) throw new Error('disk full')
      return items.map(() => true)
    })
    const first = await Promise.allSettled([put('a'), put('b')])
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    fail = false
    expect(await put('c')).toBe(true)
  })
})
