import { JourneyInput, type Condition, type DraftGraph, type Duration, type JourneySettingsInput } from '@switchyard/schema'

type NodeSpec = DraftGraph['nodes'][number]
type EdgeSpec = DraftGraph['edges'][number]

let y = 0
function at(): { x: number; y: number } {
  y += 140
  return { x: 0, y }
}

export const seconds = (amount: number): Duration => ({ amount, unit: 'seconds' })
export const minutes = (amount: number): Duration => ({ amount, unit: 'minutes' })
export const hours = (amount: number): Duration => ({ amount, unit: 'hours' })
export const days = (amount: number): Duration => ({ amount, unit: 'days' })

export const trigger = (id: string, event: string, where?: Condition): NodeSpec => ({
  id,
  type: 'trigger',
  position: at(),
  data: where ? { event, where } : { event },
})
export const action = (id: string, channel: string, message: Record<string, unknown>): NodeSpec => ({
  id,
  type: 'action',
  position: at(),
  data: { channel, message },
})
export const waitActivity = (id: string, status: string, within: Duration): NodeSpec => ({
  id,
  type: 'waitForEvent',
  position: at(),
  data: { activity: { status }, within },
})
export const waitEvent = (id: string, event: string, within: Duration, where?: Condition): NodeSpec => ({
  id,
  type: 'waitForEvent',
  position: at(),
  data: where ? { event, within, where } : { event, within },
})
export const webhook = (id: string, webhookId: string, extra: Record<string, unknown> = {}): NodeSpec => ({
  id,
  type: 'webhook',
  position: at(),
  data: { webhookId, ...extra },
})
export const delayFor = (id: string, d: Duration): NodeSpec => ({ id, type: 'delay', position: at(), data: { for: d } })
export const delayUntil = (id: string, path: string, offset?: Duration): NodeSpec => ({
  id,
  type: 'delay',
  position: at(),
  data: { until: offset ? { path, offset } : { path } },
})
export const condition = (id: string, where: Condition): NodeSpec => ({ id, type: 'condition', position: at(), data: { where } })
export const exit = (id: string): NodeSpec => ({ id, type: 'exit', position: at(), data: {} })
/** `split('ab', { a: 50, b: 50 })`: branch ids with their percents, in order; `winnerAfter` adds a winner rule. */
export const split = (id: string, percents: Record<string, number>, winnerAfter?: Duration): NodeSpec => ({
  id,
  type: 'split',
  position: at(),
  data: {
    branches: Object.entries(percents).map(([branch, percent]) => ({ id: branch, percent })),
    ...(winnerAfter ? { winner: { after: winnerAfter, metric: 'goal' } } : {}),
  },
})

/** `edge('w', 'matched', 'hook')` -> an edge leaving w's matched outlet for hook. */
export const edge = (source: string, outlet: string, target: string): EdgeSpec => ({
  id: `${source}-${outlet}-${target}`,
  source,
  target,
  sourceHandle: outlet,
})

export function graph(nodes: NodeSpec[], edges: EdgeSpec[]): DraftGraph {
  return { nodes, edges }
}

export function journeyInput(name: string, g: DraftGraph, settings: JourneySettingsInput = {}): JourneyInput {
  return JourneyInput.parse({ name, graph: g, settings: { reentry: 'afterExit', ...settings } })
}
