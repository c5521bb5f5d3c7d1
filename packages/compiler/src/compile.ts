import { dict, type Edge, type Graph, type JourneyNode, type NodeOf, type NodeType, type TriggerData } from '@switchyard/schema'
import { COMPILE_KINDS } from './kinds'
import { END_STATE, leaving } from './kinds/leave'
import { canonicalJson, sha256 } from './hash'
import type { MachineJson, StateJson, TransitionJson } from './machine'

export { END_STATE }

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

/** Each kind compiles its own state (kinds/); the registry hands a node to its kind's compiler. */
function compileNode(node: JourneyNode, targetOf: (outlet: string) => string | null): StateJson {
  return compileAs(node.type, node, targetOf)
}

function compileAs<T extends NodeType>(type: T, node: NodeOf<T>, targetOf: (outlet: string) => string | null): StateJson {
  const compile = COMPILE_KINDS[type]
  return compile(node, leaving(node.id, targetOf, node.type))
}
