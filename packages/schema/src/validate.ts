import type { ActivityStatus, Channel } from './channels'
import { ACTIVITY_STATUSES, CHANNEL_LABELS, isStatusOf } from './channels'
import type { Edge, Graph } from './graph'
import type { IssueCode, ValidationIssue } from './issues'
import { durationRangeProblem, isNodeType, kindOf, NODE_KINDS, NODE_TYPES } from './kinds'
import type { JourneyNode, NodeReferences, NodeType } from './kinds'
import { checkNode } from './validate-nodes'
import { noNul } from './events'
import { describeStep, nodeLabels } from './labels'
import { isRecord, listAnd, listOr, own, quote } from './validate-read'
import { analyseStructure, channelsIn, NO_ACTION_BIT } from './validate-structure'
import type { Link } from './validate-structure'

/**
 * Given ids of configured webhooks and providers, a node naming another is an issue; given a
 * Liquid parser, templates that do not parse are; given the journey's settings, their durations
 * are checked too. Publishing passes all of them, so nothing it lets through fails later.
 */
export interface ValidateOptions extends NodeReferences {
  settings?: unknown
}

export type ValidationResult = { ok: true; graph: Graph; issues: [] } | { ok: false; issues: ValidationIssue[] }

/** The same bounds as DraftGraph: beyond them a journey is refused before any other check. */
const MAX_NODES = 20_000
const MAX_EDGES = 40_000

interface NodeEntry {
  id: string
  type: NodeType | null
  node: JourneyNode | null
  channel: Channel | null
  activityStatus: ActivityStatus | null
  /** The node's draft data as given (or {}), which outlets of some kinds are read from. */
  data: object
  /** How messages name the step: its label, or a readable default ("Message 2"). */
  name: string
}

interface EdgeEntry {
  id: string
  source: number | null
  target: number | null
  outlet: string | null
  targetHandle: string | null | undefined
}

function malformed(message: string): ValidationResult {
  return { ok: false, issues: [{ code: 'graph.malformed', message }] }
}

/**
 * Checks a draft graph and returns every problem at once, each with a stable code, the node or
 * connection it concerns and a sentence saying what to fix. Never throws and never mutates the
 * input; browser-safe.
 */
export function validateGraph(input: unknown, options: ValidateOptions = {}): ValidationResult {
  if (!isRecord(input)) return malformed('The journey could not be read: it must hold a list of steps (nodes) and a list of connections (edges).')
  const rawNodes = own(input, 'nodes')
  const rawEdges = own(input, 'edges')
  if (!Array.isArray(rawNodes) || !Array.isArray(rawEdges)) {
    return malformed('The journey could not be read: it must hold a list of steps (nodes) and a list of connections (edges).')
  }
  if (rawNodes.length > MAX_NODES || rawEdges.length > MAX_EDGES) {
    return malformed(`The journey is too large: keep it to ${MAX_NODES.toLocaleString('en')} steps and ${MAX_EDGES.toLocaleString('en')} connections, or split it into several journeys.`)
  }

  const issues: ValidationIssue[] = []
  const add = (code: IssueCode, message: string, where: { nodeId?: string; edgeId?: string; field?: string } = {}): void => {
    issues.push({ code, ...where, message })
  }

  // Steps.
  const labels = nodeLabels(rawNodes)
  const nodes: NodeEntry[] = []
  const indexOf = new Map<string, number>()
  for (let i = 0; i < rawNodes.length; i++) {
    const raw: unknown = rawNodes[i]
    const id = isRecord(raw) ? own(raw, 'id') : undefined
    if (!isRecord(raw) || typeof id !== 'string' || id === '') {
      add('graph.malformed', `Step number ${i + 1} of the journey is damaged (it has no id): delete it and add it again.`)
      continue
    }
    if (indexOf.has(id)) {
      add('node.duplicate_id', `Two steps share the id ${quote(id)}: delete one of them and add it again.`, { nodeId: id })
      continue
    }
    if (!noNul(id)) {
      // Node ids are stored in text columns (a run's step, its history, its timers), which hold no NUL on PostgreSQL.
      add('node.invalid_id', `The id of step number ${i + 1} holds a NUL character (\\u0000): give the step an id without it.`, { nodeId: id })
    }
    if (id === '__proto__') {
      // Node ids are keys of stats and run maps, and JSON readers (zod among them) drop this key.
      add('node.reserved_id', `The id ${quote(id)} is reserved: give the step another id.`, { nodeId: id })
    }
    indexOf.set(id, nodes.length)
    const rawType = own(raw, 'type')
    const rawData = own(raw, 'data')
    const name = describeStep(typeof rawType === 'string' ? rawType : null, rawData, labels[id] ?? 'Step')
    if (typeof rawType !== 'string' || !isNodeType(rawType)) {
      const kinds = listOr(NODE_TYPES.map((t) => NODE_KINDS[t].label))
      const what = typeof rawType === 'string' && rawType !== '' ? `is of a kind Switchyard does not know (${quote(rawType)})` : 'does not say what kind of step it is'
      add('node.unknown_type', `The step ${quote(id)} ${what}: delete it and add a ${kinds} step instead.`, { nodeId: id })
      nodes.push({ id, type: null, node: null, channel: null, activityStatus: null, data: {}, name })
      continue
    }
    const facts = checkNode(id, rawType, name, own(raw, 'position'), rawData, issues, options)
    nodes.push({ id, type: rawType, ...facts, data: isRecord(rawData) ? rawData : {}, name })
  }

  // Settings: their durations would otherwise only fail, or silently misbehave, once live.
  if (isRecord(options.settings)) {
    const goal = own(options.settings, 'goal')
    const window = isRecord(goal) ? durationRangeProblem(own(goal, 'within'), 'The goal’s conversion window') : null
    if (window !== null) add('duration.out_of_range', window, { field: 'settings.goal.within' })
    const caps = own(options.settings, 'frequencyCaps')
    if (Array.isArray(caps)) {
      caps.forEach((cap: unknown, i) => {
        const period = isRecord(cap) ? durationRangeProblem(own(cap, 'per'), 'The frequency cap’s period') : null
        if (period !== null) add('duration.out_of_range', period, { field: `settings.frequencyCaps.${i}.per` })
      })
    }
  }

  // Triggers: the first one is where runs start.
  const triggers = nodes.filter((n) => n.type === 'trigger')
  const rootEntry = triggers[0]
  const root = rootEntry === undefined ? null : (indexOf.get(rootEntry.id) ?? null)
  if (rootEntry === undefined) {
    add('trigger.missing', 'The journey has no trigger: add a Trigger step that says which event starts it.')
  }
  for (const extra of triggers.slice(1)) {
    add('trigger.multiple', `The journey has more than one trigger: keep ${rootEntry?.name ?? ''} and delete ${extra.name}, or start a separate journey with it.`, {
      nodeId: extra.id,
    })
  }

  // Connections.
  const edges: EdgeEntry[] = []
  const edgeIds = new Set<string>()
  const outletUse = new Map<string, string>()
  const links: Link[] = []
  for (let i = 0; i < rawEdges.length; i++) {
    const raw: unknown = rawEdges[i]
    const id = isRecord(raw) ? own(raw, 'id') : undefined
    if (!isRecord(raw) || typeof id !== 'string' || id === '') {
      add('graph.malformed', `Connection number ${i + 1} of the journey is damaged (it has no id): delete it and draw it again.`)
      continue
    }
    const entry = readEdge(raw, id, nodes, indexOf, add)
    if (edgeIds.has(id)) {
      add('edge.duplicate_id', `Two connections share the id ${quote(id)}: delete one of them and draw it again.`, { edgeId: id })
    }
    edgeIds.add(id)
    edges.push(entry)
    const source = entry.source === null ? undefined : nodes[entry.source]
    if (source !== undefined && entry.outlet !== null) {
      const key = `${entry.source}\u0000${entry.outlet}`
      const first = outletUse.get(key)
      if (first === undefined) outletUse.set(key, id)
      else {
        add(
          'edge.outlet_reused',
          `${capital(source.name)} has more than one connection leaving its ${entry.outlet} outlet, but an outlet leads to exactly one step: keep ${quote(first)} and delete ${quote(id)}.`,
          { nodeId: source.id, edgeId: id },
        )
      }
    }
    if (entry.source !== null && entry.target !== null && entry.source !== entry.target && nodes[entry.target]?.type !== 'trigger') {
      links.push({ edgeIndex: edges.length - 1, source: entry.source, target: entry.target })
    }
  }

  // Required outlets.
  nodes.forEach((n, index) => {
    if (n.type === null) return
    const kind = NODE_KINDS[n.type]
    for (const outlet of kind.required(n.data)) {
      if (outletUse.has(`${index}\u0000${outlet}`)) continue
      const name = capital(n.name)
      const outletName = kind.outletName?.(outlet, n.data) ?? outlet
      add('outlet.unconnected', `${name} has nothing connected to its ${outletName} outlet: connect it to ${kind.purpose(outlet)}.`, { nodeId: n.id })
    }
  })

  // Checks a kind makes against the journey around the node (a split's winner needs a goal).
  const settings = isRecord(options.settings) ? options.settings : undefined
  for (const n of nodes) if (n.node !== null) kindOf(n.node.type).checkInJourney?.(n.node, { settings }, add)

  // Paths.
  const actionChannel = nodes.map((n) => (n.type === 'action' ? n.channel : undefined))
  const structure = analyseStructure(nodes.length, links, root, actionChannel)
  if (root !== null) {
    nodes.forEach((n, index) => {
      if (n.type === 'trigger' || structure.reachable[index] === 1) return
      add('node.unreachable', `${capital(n.name)} cannot be reached from the trigger: connect an earlier step to it, or delete it.`, { nodeId: n.id })
    })
  }
  for (const link of structure.cycleLinks) {
    const edge = edges[link.edgeIndex]
    const from = nodes[link.source]
    const to = nodes[link.target]
    if (edge === undefined || from === undefined || to === undefined) continue
    add(
      'graph.cycle',
      `The connection ${quote(edge.id)} from ${from.name} back to ${to.name} closes a loop, so users could go round it forever: connect it to a later step instead.`,
      { nodeId: from.id, edgeId: edge.id },
    )
  }
  nodes.forEach((n, index) => {
    if (n.type !== 'waitForEvent' || n.activityStatus === null || structure.reachable[index] !== 1) return
    checkActivityWait(n, n.activityStatus, structure.preceding[index] ?? 0, add)
  })

  if (issues.length > 0) return { ok: false, issues }
  const graph = toGraph(nodes, edges)
  if (graph === null) return malformed('The journey could not be read: save it again and retry.')
  return { ok: true, graph, issues: [] }
}

type Add = (code: IssueCode, message: string, where?: { nodeId?: string; edgeId?: string; field?: string }) => void

function readEdge(raw: object, id: string, nodes: readonly NodeEntry[], indexOf: ReadonlyMap<string, number>, add: Add): EdgeEntry {
  const rawSource = own(raw, 'source')
  const rawTarget = own(raw, 'target')
  const rawHandle = own(raw, 'sourceHandle')
  const rawTargetHandle = own(raw, 'targetHandle')
  const source = typeof rawSource === 'string' ? (indexOf.get(rawSource) ?? null) : null
  const target = typeof rawTarget === 'string' ? (indexOf.get(rawTarget) ?? null) : null
  const sourceNode = source === null ? undefined : nodes[source]
  const targetNode = target === null ? undefined : nodes[target]
  const edgeId = id

  if (sourceNode === undefined) {
    const what = typeof rawSource === 'string' && rawSource !== '' ? `starts from a step that does not exist (${quote(rawSource)})` : 'does not start from any step'
    add('edge.missing_source', `The connection ${quote(id)} ${what}: delete it, or draw it again from an existing step.`, { edgeId })
  }
  if (targetNode === undefined) {
    const what = typeof rawTarget === 'string' && rawTarget !== '' ? `leads to a step that does not exist (${quote(rawTarget)})` : 'does not lead to any step'
    add('edge.missing_target', `The connection ${quote(id)} ${what}: delete it, or connect it to an existing step.`, { edgeId })
  }
  if (sourceNode !== undefined && targetNode !== undefined) {
    if (source === target) {
      add('edge.self_loop', `The connection ${quote(id)} leads ${sourceNode.name} back to itself: connect it to another step.`, { edgeId, nodeId: sourceNode.id })
    } else if (targetNode.type === 'trigger') {
      add('edge.into_trigger', `The connection ${quote(id)} leads into ${targetNode.name}, but a journey only starts at its trigger: connect it to another step.`, {
        edgeId,
        nodeId: targetNode.id,
      })
    }
  }

  let outlet: string | null = null
  if (sourceNode !== undefined && sourceNode.type !== null) {
    const outlets = NODE_KINDS[sourceNode.type].outlets(sourceNode.data)
    const found = typeof rawHandle === 'string' ? outlets.find((o) => o === rawHandle) : undefined
    const name = sourceNode.name
    if (found !== undefined) outlet = found
    else if (outlets.length === 0) {
      add('edge.unknown_outlet', `${capital(name)} ends the journey, so nothing can follow it: delete the connection ${quote(id)}.`, { edgeId, nodeId: sourceNode.id })
    } else if (typeof rawHandle !== 'string' || rawHandle === '') {
      add('edge.unknown_outlet', `The connection ${quote(id)} leaves ${name} without saying by which outlet: draw it again from ${listOr(outlets.map((o) => `its ${o} outlet`))}.`, {
        edgeId,
        nodeId: sourceNode.id,
      })
    } else {
      add('edge.unknown_outlet', `The connection ${quote(id)} leaves ${name} by a ${quote(rawHandle)} outlet, which it does not have: draw it again from ${listOr(outlets.map((o) => `its ${o} outlet`))}.`, {
        edgeId,
        nodeId: sourceNode.id,
      })
    }
  }

  let targetHandle: string | null | undefined
  if (rawTargetHandle === undefined || rawTargetHandle === null || typeof rawTargetHandle === 'string') targetHandle = rawTargetHandle
  else add('graph.malformed', `The connection ${quote(id)} is damaged (its target handle is not a name): delete it and draw it again.`, { edgeId })

  return { id, source, target, outlet, targetHandle }
}

function checkActivityWait(wait: NodeEntry, status: ActivityStatus, preceding: number, add: Add): void {
  const name = wait.name
  if ((preceding & NO_ACTION_BIT) !== 0) {
    add(
      'wait.no_preceding_action',
      `${capital(name)} waits for activity on a message, but users can reach it without being sent one: put a Message step before it, or wait for an event instead.`,
      { nodeId: wait.id, field: 'data.activity.status' },
    )
  }
  const channels = channelsIn(preceding)
  const wrong = channels.filter((c) => !isStatusOf(c, status))
  if (wrong.length === 0) return
  const common = ACTIVITY_STATUSES.filter((s) => channels.every((c) => isStatusOf(c, s)))
  add(
    'wait.status_not_in_channel',
    `${capital(name)} waits for the message to be ${status}, but ${listAnd(wrong.map((c) => CHANNEL_LABELS[c]))} messages sent before it never report that: choose ${common.length > 1 ? `one of ${listOr(common)}` : listOr(common)}.`,
    { nodeId: wait.id, field: 'data.activity.status' },
  )
}

function toGraph(entries: readonly NodeEntry[], edgeEntries: readonly EdgeEntry[]): Graph | null {
  const nodes: JourneyNode[] = []
  for (const e of entries) {
    if (e.node === null) return null
    nodes.push(e.node)
  }
  const edges: Edge[] = []
  for (const e of edgeEntries) {
    const source = e.source === null ? undefined : entries[e.source]
    const target = e.target === null ? undefined : entries[e.target]
    if (source === undefined || target === undefined || e.outlet === null) return null
    const edge: Edge = { id: e.id, source: source.id, target: target.id, sourceHandle: e.outlet }
    if (e.targetHandle !== undefined) edge.targetHandle = e.targetHandle
    edges.push(edge)
  }
  return { nodes, edges }
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
