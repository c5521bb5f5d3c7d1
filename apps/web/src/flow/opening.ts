import { NODE_WIDTH } from './size'

/** The zoom a journey opens at: cards readable, whatever the journey's size. */
export const OPEN_ZOOM = 1
const TOP_MARGIN = 60

interface Placed {
  id: string
  type?: string | undefined
  position: { x: number; y: number }
}

/**
 * Where a journey opens: on its trigger (the first one, else the first step), centred across the
 * canvas near the top, at a readable zoom, rather than fitted (a 300-step journey fitted is
 * unreadable). An empty journey opens at the origin, so a first drop stays where it lands.
 */
export function openingViewport(nodes: readonly Placed[], width: number): { x: number; y: number; zoom: number } {
  const start = nodes.find((n) => n.type === 'trigger') ?? nodes[0]
  if (!start) return { x: 0, y: 0, zoom: OPEN_ZOOM }
  return { x: Math.round(width / 2 - (start.position.x + NODE_WIDTH / 2) * OPEN_ZOOM), y: Math.round(TOP_MARGIN - start.position.y * OPEN_ZOOM), zoom: OPEN_ZOOM }
}
