import { dict, nodeLabels, validateGraph, type JourneySettings } from '@switchyard/schema'
import type { Issue, WebhookView } from '../api/schemas'
import { fromFlow } from '../flow/convert'
import { outletOfEdge } from '../flow/outlets'
import type { FlowEdge, FlowNode } from '../flow/types'

/** What the store derives from the graph, so cards read it by id instead of scanning the graph. */
export interface IssueIndex {
  byNode: Record<string, Issue[]>
  byEdge: Record<string, Issue[]>
  all: Issue[]
}

export function indexIssues(issues: readonly Issue[]): IssueIndex {
  const byNode = dict<Issue[]>()
  const byEdge = dict<Issue[]>()
  for (const i of issues) {
    if (i.edgeId) (byEdge[i.edgeId] ??= []).push(i)
    else if (i.nodeId) (byNode[i.nodeId] ??= []).push(i)
  }
  return { byNode, byEdge, all: [...issues] }
}

/** Every step's name: its label or the schema's readable default ("Message 2"). */
export function labelsOf(nodes: readonly FlowNode[]): Record<string, string> {
  return nodeLabels(nodes.map((n) => ({ id: n.id, type: n.type, data: n.data })))
}

export function connectedIndex(edges: readonly FlowEdge[], nodes: readonly FlowNode[]): Record<string, string> {
  const out = dict<string[]>()
  const byId = new Map(nodes.map((n) => [n.id, n]))
  for (const e of edges) {
    const handle = outletOfEdge(byId.get(e.source), e.sourceHandle)
    if (handle) (out[e.source] ??= []).push(handle)
  }
  const flat = dict<string>()
  for (const [k, v] of Object.entries(out)) flat[k] = v.sort().join(',')
  return flat
}

/** Runs the schema's validateGraph in the browser, so issues show as the user edits; null while it cannot. */
export function validateLocally(
  nodes: readonly FlowNode[],
  edges: readonly FlowEdge[],
  webhooks: readonly WebhookView[],
  settings: JourneySettings,
): Issue[] | null {
  try {
    // With the settings, checks across the journey run too (a split's winner rule needs a goal).
    const result = validateGraph(fromFlow(nodes, edges), webhooks.length > 0 ? { settings, webhookIds: new Set(webhooks.map((w) => w.id)) } : { settings })
    return result.ok ? [] : result.issues
  } catch {
    return null
  }
}

export function shownIssues(s: { editSeq: number; savedSeq: number; serverIssues: Issue[]; localIssues: Issue[] | null }): IssueIndex {
  const current = s.savedSeq === s.editSeq ? s.serverIssues : (s.localIssues ?? s.serverIssues)
  return indexIssues(current)
}
