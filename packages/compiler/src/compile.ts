import {
  assertNever,
  dict,
  durationMs,
  type Edge,
  type Graph,
  type JourneyNode,
  type Outlet,
  type TriggerData,
} from '@switchyard/schema'
import type { JourneyAction } from './actions'
import { canonicalJson, sha256 } from './hash'
import type { MachineJson, StateJson, TransitionJson } from './machine'

/** The synthetic final state a run reaches when it leaves by an outlet connected to nothing. */
export const END_STATE = '$end'

export interface CompiledJourney {
  machine: MachineJson
  /** sha256 of the canonical machine config: equal graphs (positions aside) hash equal. */
  hash: string
  trigger: TriggerData
  triggerNodeId: string
  /** State key -> node id; keys are node ids made safe for XState's target syntax. */
  nodeIdOf: Record<string, string>
  stateKeyOf: Record<string, string>
}

/**
 * Turns a validated graph into an XState machine config. Pure and deterministic: nodes and edges
 * are taken in id order, positions are ignored, so the same journey always gives the same bytes.
 */
export function compileJourney(graph: Graph): CompiledJourney {
  const nodes = [...graph.nodes].sort((a, b) => compareIds(a.id, b.id))
  const edges = [...graph.edges].sort((a, b) => compareIds(a.id, b.id))
  const trigger = nodes.find((n) => n.type === 'trigger')
  if (trigger === undefined || trigger.type !== 'trigger') throw new Error('compileJourney needs a validated graph with a trigger')

  const stateKeyOf = assignStateKeys(nodes)
  const targetOf = outletTargets(edges, stateKeyOf)
  const states = dict<StateJson>()
  for (const node of nodes) {
    const key = stateKeyOf[node.id]
    if (key !== undefined) states[key] = compileNode(node, (outlet) => targetOf.get(`${node.id}\u0000${outlet}`) ?? null)
  }
  states[END_STATE] = { type: 'final' }

  const triggerKey = stateKeyOf[trigger.id]
  if (triggerKey === undefined) throw new Error('unreachable: trigger has no state key')
  const machine: MachineJson = { id: 'journey', initial: triggerKey, states }
  const nodeIdOf = dict<string>()
  for (const [id, key] of Object.entries(stateKeyOf)) nodeIdOf[key] = id
  return {
    machine,
    hash: sha256(canonicalJson(machine)),
    trigger: trigger.data,
    triggerNodeId: trigger.id,
    nodeIdOf,
    stateKeyOf,
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Names XState would read through a plain object's prototype (`states.__proto__`,
 * `states.constructor`): a node id spelled so gets a suffixed state key like any other clash.
 */
const RESERVED_KEYS = Object.getOwnPropertyNames(Object.prototype)

/** XState reads `.` and `#` in targets as paths and ids, so other characters become `_`. */
function assignStateKeys(nodes: JourneyNode[]): Record<string, string> {
  const taken = new Set<string>([END_STATE, ...RESERVED_KEYS])
  const keys = dict<string>()
  for (const node of nodes) {
    const base = node.id.replace(/[^A-Za-z0-9_-]/g, '_') || '_'
    let key = base
    for (let i = 2; taken.has(key); i++) key = `${base}_${i}`
    taken.add(key)
    keys[node.id] = key
  }
  return keys
}

function outletTargets(edges: Edge[], stateKeyOf: Record<string, string>): Map<string, string> {
  const targets = new Map<string, string>()
  for (const edge of edges) {
    const key = stateKeyOf[edge.target]
    if (key !== undefined) targets.set(`${edge.source}\u0000${edge.sourceHandle}`, key)
  }
  return targets
}

type TargetOf = (outlet: Outlet) => string | null

/** Leaving by `outlet`: to its target, or to the end (recording completion) when unconnected. */
function leave(nodeId: string, outlet: Outlet, targetOf: TargetOf, actions: JourneyAction[]): TransitionJson {
  const target = targetOf(outlet)
  if (target !== null) return { target, actions }
  return { target: END_STATE, actions: [...actions, { type: 'record', params: { nodeId, kind: 'completed', outlet: null } }] }
}

function outletOrNull(outlet: Outlet, targetOf: TargetOf): Outlet | null {
  return targetOf(outlet) === null ? null : outlet
}

function compileNode(node: JourneyNode, targetOf: TargetOf): StateJson {
  const meta = { nodeId: node.id, nodeType: node.type }
  const enter: JourneyAction = { type: 'enter', params: { nodeId: node.id } }
  switch (node.type) {
    case 'trigger':
      return {
        meta,
        entry: [enter, { type: 'rememberEvent' }],
        always: [
          leave(node.id, 'next', targetOf, [{ type: 'record', params: { nodeId: node.id, kind: 'entered', outlet: outletOrNull('next', targetOf) } }]),
        ],
      }
    case 'action': {
      const { channel, message, providerId } = node.data
      return {
        meta,
        entry: [
          enter,
          { type: 'rememberMessage', params: { nodeId: node.id, channel } },
          {
            type: 'sendMessage',
            params: { nodeId: node.id, channel, message, providerId: providerId ?? null, outlet: outletOrNull('next', targetOf) },
          },
        ],
        always: [leave(node.id, 'next', targetOf, [])],
      }
    }
    case 'waitForEvent': {
      const data = node.data
      const cancel: JourneyAction = { type: 'cancelTimer', params: { nodeId: node.id } }
      const where = data.where === undefined ? {} : { where: data.where }
      const guard =
        data.activity !== undefined
          ? { type: 'activityMatches' as const, params: { status: data.activity.status, ...where } }
          : { type: 'eventMatches' as const, params: { event: data.event ?? '', ...where } }
      return {
        meta,
        entry: [
          enter,
          { type: 'scheduleTimer', params: { nodeId: node.id, afterMs: durationMs(data.within) } },
          { type: 'record', params: { nodeId: node.id, kind: 'entered', outlet: null } },
        ],
        on: {
          track: [
            {
              ...leave(node.id, 'matched', targetOf, [
                cancel,
                { type: 'rememberEvent' },
                { type: 'record', params: { nodeId: node.id, kind: 'event', outlet: 'matched' } },
              ]),
              guard,
            },
          ],
          timer: [
            {
              ...leave(node.id, 'timeout', targetOf, [{ type: 'record', params: { nodeId: node.id, kind: 'timeout', outlet: 'timeout' } }]),
              guard: { type: 'timerIs', params: { nodeId: node.id } },
            },
          ],
        },
      }
    }
    case 'webhook': {
      const d = node.data
      return {
        meta,
        entry: [
          enter,
          {
            type: 'enqueueWebhook',
            params: {
              nodeId: node.id,
              webhookId: d.webhookId,
              params: d.params ?? [],
              customParams: d.customParams ?? {},
              body: d.body ?? { kind: 'activity' },
              outlet: outletOrNull('next', targetOf),
            },
          },
        ],
        always: [leave(node.id, 'next', targetOf, [])],
      }
    }
    case 'delay': {
      const d = node.data
      const timer =
        d.for !== undefined
          ? { nodeId: node.id, afterMs: durationMs(d.for) }
          : { nodeId: node.id, until: { path: d.until?.path ?? '', offsetMs: d.until?.offset === undefined ? 0 : durationMs(d.until.offset) } }
      return {
        meta,
        entry: [enter, { type: 'scheduleTimer', params: timer }, { type: 'record', params: { nodeId: node.id, kind: 'entered', outlet: null } }],
        on: {
          timer: [
            {
              ...leave(node.id, 'next', targetOf, [
                { type: 'record', params: { nodeId: node.id, kind: 'timeout', outlet: outletOrNull('next', targetOf) } },
              ]),
              guard: { type: 'timerIs', params: { nodeId: node.id } },
            },
          ],
        },
      }
    }
    case 'condition': {
      const where = node.data.where
      const branch = (outlet: 'yes' | 'no'): JourneyAction => ({
        type: 'record',
        params: { nodeId: node.id, kind: 'branch', outlet, where },
      })
      return {
        meta,
        entry: [enter],
        always: [
          { ...leave(node.id, 'yes', targetOf, [branch('yes')]), guard: { type: 'conditionHolds', params: { where } } },
          leave(node.id, 'no', targetOf, [branch('no')]),
        ],
      }
    }
    case 'exit':
      return {
        meta,
        type: 'final',
        entry: [enter, { type: 'record', params: { nodeId: node.id, kind: 'completed', outlet: null } }],
      }
    default:
      return assertNever(node)
  }
}
