import { describe, expect, it } from 'vitest'
import { addBranch, evenShares, readBranches, removeBranch, setLabel, setPercent, type DraftBranch } from './splitBranches'

const total = (bs: readonly DraftBranch[]) => Math.round(bs.reduce((a, b) => a + b.percent * 100, 0))
const two: DraftBranch[] = [
  { id: 'a', label: 'A', percent: 50 },
  { id: 'b', label: 'B', percent: 50 },
]

describe('split branches in the form', () => {
  it('shares 100% evenly in hundredths, the first branches taking the remainder', () => {
    expect(evenShares(3)).toEqual([33.34, 33.33, 33.33])
    expect(evenShares(7).reduce((a, b) => a + b * 100, 0)).toBeCloseTo(10_000)
  })

  it('adds a branch with the next free id and rebalances evenly, up to ten branches', () => {
    const three = addBranch(two)
    expect(three.map((b) => [b.id, b.percent])).toEqual([
      ['a', 33.34],
      ['b', 33.33],
      ['c', 33.33],
    ])
    let many = three
    for (let i = 0; i < 10; i++) many = addBranch(many)
    expect(many).toHaveLength(10)
    expect(total(many)).toBe(10_000)
  })

  it('removes a branch, giving its share to the last branch left, and keeps at least two', () => {
    const three = setPercent(setPercent(addBranch(two), 'a', 20), 'b', 30)
    expect(removeBranch(three, 'b').map((b) => b.percent)).toEqual([20, 80])
    expect(removeBranch(two, 'a')).toEqual(two)
  })

  it('setting one share makes the others take up the difference, the last first, always summing to 100', () => {
    const three = addBranch(two)
    const a20 = setPercent(three, 'a', 20)
    expect(a20.map((b) => b.percent)).toEqual([20, 33.33, 46.67])
    expect(setPercent(a20, 'c', 50).map((b) => b.percent)).toEqual([20, 30, 50])
    expect(setPercent(a20, 'a', 99).map((b) => b.percent)).toEqual([99, 0.99, 0.01])
    expect(setPercent(a20, 'a', 100).map((b) => b.percent)).toEqual([99.98, 0.01, 0.01])
    expect(total(setPercent(a20, 'b', 12.345))).toBe(10_000)
  })

  it('reads lenient draft data and names branches by label, dropping an empty label', () => {
    expect(readBranches({ branches: [{ id: 'a', percent: 60 }, 'junk', { id: 'b' }] })).toEqual([
      { id: 'a', percent: 60 },
      { id: 'b', percent: 0 },
    ])
    expect(setLabel(two, 'a', '')[0]).toEqual({ id: 'a', percent: 50 })
  })
})
