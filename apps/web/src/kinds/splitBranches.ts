import { SPLIT_MAX_BRANCHES, SPLIT_MIN_BRANCHES } from '@switchyard/schema'
import type { NodeData } from '../flow/types'

/** A split's branch as a draft holds it. */
export interface DraftBranch {
  id: string
  label?: string
  percent: number
}

/** Percents are kept to hundredths, as the engine buckets them: 100% is 10,000 points. */
const WHOLE = 10_000
const points = (percent: number): number => (Number.isFinite(percent) ? Math.round(percent * 100) : 0)
const percentOf = (p: number): number => p / 100

/** The branches of a draft split, skipping entries that are not branches. */
export function readBranches(data: NodeData): DraftBranch[] {
  const raw = data.branches
  if (!Array.isArray(raw)) return []
  const out: DraftBranch[] = []
  for (const b of raw) {
    if (b === null || typeof b !== 'object' || !('id' in b) || typeof b.id !== 'string') continue
    const branch: DraftBranch = { id: b.id, percent: 'percent' in b && typeof b.percent === 'number' ? b.percent : 0 }
    if ('label' in b && typeof b.label === 'string') branch.label = b.label
    out.push(branch)
  }
  return out
}

/** How a branch reads on the canvas: its label, or its id when it has none. */
export function branchName(b: DraftBranch): string {
  return b.label?.trim() || b.id
}

/** `33.34%`, without trailing zeros. */
export function formatPercent(percent: number): string {
  return `${percentOf(points(percent))}%`
}

/** `n` shares of 100 in hundredths, the first ones a hundredth larger when it does not divide. */
export function evenShares(n: number): number[] {
  const base = Math.floor(WHOLE / n)
  return Array.from({ length: n }, (_, i) => percentOf(base + (i < WHOLE - base * n ? 1 : 0)))
}

/** The first letter no branch uses as its id: `a`, `b`, `c`… */
export function nextBranchId(branches: readonly DraftBranch[]): string {
  const taken = new Set(branches.map((b) => b.id))
  for (const letter of 'abcdefghijklmnopqrstuvwxyz') if (!taken.has(letter)) return letter
  for (let i = branches.length + 1; ; i++) if (!taken.has(`branch${i}`)) return `branch${i}`
}

/** Adds a branch and shares 100% evenly again; a split keeps at most ten branches. */
export function addBranch(branches: readonly DraftBranch[]): DraftBranch[] {
  if (branches.length >= SPLIT_MAX_BRANCHES) return [...branches]
  const id = nextBranchId(branches)
  const next = [...branches, { id, label: id.toUpperCase(), percent: 0 }]
  const shares = evenShares(next.length)
  return next.map((b, i) => ({ ...b, percent: shares[i] ?? 0 }))
}

/** Removes a branch; its share goes to the last branch left. A split keeps at least two. */
export function removeBranch(branches: readonly DraftBranch[], id: string): DraftBranch[] {
  if (branches.length <= SPLIT_MIN_BRANCHES) return [...branches]
  return balanced(branches.filter((b) => b.id !== id), null)
}

/**
 * Sets one branch's share (to hundredths, leaving every other branch at least 0.01%); the other
 * branches take up the difference, the last one first, so the shares still add up to 100%.
 */
export function setPercent(branches: readonly DraftBranch[], id: string, percent: number): DraftBranch[] {
  const index = branches.findIndex((b) => b.id === id)
  if (index < 0 || !Number.isFinite(percent)) return [...branches]
  const own = Math.min(Math.max(points(percent), 1), WHOLE - (branches.length - 1))
  return balanced(
    branches.map((b, i) => (i === index ? { ...b, percent: percentOf(own) } : b)),
    index,
  )
}

export function setLabel(branches: readonly DraftBranch[], id: string, label: string): DraftBranch[] {
  return branches.map((b) => {
    if (b.id !== id) return b
    const next: DraftBranch = { id: b.id, percent: b.percent }
    if (label !== '') next.label = label
    return next
  })
}

/** Makes the shares add up to 100%, changing every branch but `fixed`, from the last one up. */
function balanced(branches: readonly DraftBranch[], fixed: number | null): DraftBranch[] {
  const shares = branches.map((b) => Math.max(points(b.percent), 0))
  let diff = WHOLE - shares.reduce((a, b) => a + b, 0)
  for (let i = shares.length - 1; i >= 0 && diff !== 0; i--) {
    if (i === fixed) continue
    const share = shares[i] ?? 0
    const next = Math.max(share + diff, 1)
    diff -= next - share
    shares[i] = next
  }
  return branches.map((b, i) => ({ ...b, percent: percentOf(shares[i] ?? 0) }))
}
