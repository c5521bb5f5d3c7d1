import { CHANNELS } from './channels'
import type { Channel } from './channels'

/** A connection between two existing, distinct nodes, by index into the node list. */
export interface Link {
  edgeIndex: number
  source: number
  target: number
}

export interface Structure {
  /** 1 for nodes a run can reach from the trigger. */
  reachable: Uint8Array
  /** Links that close a cycle (DFS back edges), one per cycle found. */
  cycleLinks: Link[]
  /** Per node, what a run may carry into it: see the *_BIT constants and channelBit. */
  preceding: Uint16Array
}

/** A path from the trigger reaches the node without passing any action. */
export const NO_ACTION_BIT = 1 << CHANNELS.length
/** An action whose channel is unknown (already reported) precedes the node. */
export const UNKNOWN_ACTION_BIT = 1 << (CHANNELS.length + 1)

export function channelBit(channel: Channel): number {
  return 1 << CHANNELS.indexOf(channel)
}

export function channelsIn(mask: number): Channel[] {
  return CHANNELS.filter((c) => (mask & channelBit(c)) !== 0)
}

/**
 * Walks the graph once, without recursion (graphs of 10,000 nodes are fine): which nodes the
 * trigger reaches, which links close cycles, and which actions are the nearest preceding action
 * of each node over all paths from the trigger. `actionChannel[i]` is undefined for non-actions,
 * null for actions without a valid channel.
 */
export function analyseStructure(nodeCount: number, links: readonly Link[], root: number | null, actionChannel: ReadonlyArray<Channel | null | undefined>): Structure {
  // Outgoing links per node, in their original order (compressed adjacency).
  const start = new Int32Array(nodeCount + 1)
  for (const l of links) start[l.source + 1] = (start[l.source + 1] ?? 0) + 1
  for (let i = 0; i < nodeCount; i++) start[i + 1] = (start[i + 1] ?? 0) + (start[i] ?? 0)
  const fill = start.slice(0, nodeCount)
  const out = new Int32Array(links.length)
  links.forEach((l, i) => {
    const at = fill[l.source] ?? 0
    out[at] = i
    fill[l.source] = at + 1
  })

  const color = new Uint8Array(nodeCount) // 0 unseen, 1 on the DFS stack, 2 done
  const cursor = new Int32Array(nodeCount)
  const isBack = new Uint8Array(links.length)
  const post: number[] = []
  const cycleLinks: Link[] = []

  const dfs = (from: number): void => {
    const stack = [from]
    color[from] = 1
    cursor[from] = start[from] ?? 0
    while (stack.length > 0) {
      const v = stack[stack.length - 1] ?? 0
      const c = cursor[v] ?? 0
      if (c < (start[v + 1] ?? 0)) {
        cursor[v] = c + 1
        const li = out[c] ?? 0
        const link = links[li]
        if (link === undefined) continue
        const w = link.target
        if (color[w] === 0) {
          color[w] = 1
          cursor[w] = start[w] ?? 0
          stack.push(w)
        } else if (color[w] === 1) {
          isBack[li] = 1
          cycleLinks.push(link)
        }
      } else {
        color[v] = 2
        post.push(v)
        stack.pop()
      }
    }
  }

  const reachable = new Uint8Array(nodeCount)
  if (root !== null) dfs(root)
  const reachedCount = post.length
  for (let i = 0; i < reachedCount; i++) reachable[post[i] ?? 0] = 1
  // Cycles among unreachable nodes are problems too.
  for (let v = 0; v < nodeCount; v++) if (color[v] === 0) dfs(v)

  // Reverse DFS post-order, back edges left out, is a topological order of the reached nodes.
  const preceding = new Uint16Array(nodeCount)
  for (let i = reachedCount - 1; i >= 0; i--) {
    const v = post[i] ?? 0
    const channel = actionChannel[v]
    const carried = v === root ? NO_ACTION_BIT : channel === undefined ? (preceding[v] ?? 0) : channel === null ? UNKNOWN_ACTION_BIT : channelBit(channel)
    for (let c = start[v] ?? 0; c < (start[v + 1] ?? 0); c++) {
      const li = out[c] ?? 0
      const link = links[li]
      if (link === undefined || isBack[li] === 1) continue
      preceding[link.target] = (preceding[link.target] ?? 0) | carried
    }
  }
  return { reachable, cycleLinks, preceding }
}
