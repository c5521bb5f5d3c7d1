import { NODE_WIDTH } from './size'
import type { FlowNode } from './types'

const GAP = 32
const DEFAULT_HEIGHT = 110

/**
 * Where a step added by click goes: the wanted point if it is free, else the nearest free place
 * on a ring around it, so a new step never lands on top of another.
 */
export function freeSpot(nodes: readonly FlowNode[], want: { x: number; y: number }): { x: number; y: number } {
  const overlaps = (x: number, y: number) =>
    nodes.some((n) => {
      const w = n.measured?.width ?? NODE_WIDTH
      const h = n.measured?.height ?? DEFAULT_HEIGHT
      return x < n.position.x + w + GAP && x + NODE_WIDTH + GAP > n.position.x && y < n.position.y + h + GAP && y + DEFAULT_HEIGHT + GAP > n.position.y
    })
  if (!overlaps(want.x, want.y)) return want
  for (let ring = 1; ring < 40; ring++) {
    const r = ring * 60
    for (let k = 0; k < 8 * ring; k++) {
      const a = (k / (8 * ring)) * Math.PI * 2
      const x = Math.round(want.x + Math.cos(a) * r * 1.6)
      const y = Math.round(want.y + Math.sin(a) * r)
      if (!overlaps(x, y)) return { x, y }
    }
  }
  return want
}
