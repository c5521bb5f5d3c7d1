/** The editor store's actions (`editor`) and the draft it saves; re-exports the state and hook from ./state. */
import { type JourneySettings, type JourneyStats, type RunView } from '@switchyard/schema'
import type { Issue, JourneyDetail, WebhookView } from '../api/schemas'

export type { IssueIndex } from './derived'
import { fromFlow, toFlow } from '../flow/convert'
import { connectedIndex, indexIssues, labelsOf, shownIssues, validateLocally } from './derived'
import type { RunPath } from './paths'
import { initial, RUNS_PAGE, useEditor, type InspectionPage, type PanelTab, type SaveState } from './state'
import { graphEdits, pathForInspection } from './graphEdits'

export { SAMPLE_DATA } from './sampleData'
export { notify, RUNS_MAX, RUNS_PAGE, useEditor } from './state'
export type { EditorState, Inspection, InspectionPage, PanelTab, SaveState } from './state'

const set = useEditor.setState
const get = useEditor.getState

export const editor = {
  load(journey: JourneyDetail): void {
    const { nodes, edges } = toFlow(journey.graph)
    const s = get()
    set({
      ...initial,
      webhooks: s.webhooks,
      sampleData: s.sampleData,
      journey,
      name: journey.name,
      settings: journey.settings,
      nodes,
      edges,
      connected: connectedIndex(edges, nodes),
      labels: labelsOf(nodes),
      serverIssues: journey.issues,
      localIssues: null,
      issues: indexIssues(journey.issues),
      // A tab clicked while the journey was still on its way stays open.
      tab: s.tabPicked ? s.tab : nodes.length === 0 ? 'journey' : 'node',
      tabPicked: s.tabPicked,
    })
  },
  reset(): void {
    set({ ...initial, webhooks: get().webhooks })
  },
  setWebhooks(webhooks: WebhookView[]): void {
    const s = get()
    const localIssues = validateLocally(s.nodes, s.edges, webhooks, s.settings)
    set({ webhooks, localIssues, issues: shownIssues({ ...s, localIssues }) })
  },

  ...graphEdits,

  setName(name: string): void {
    set({ name, editSeq: get().editSeq + 1, saveState: 'dirty' })
  },
  setSettings(settings: JourneySettings): void {
    const s = get()
    const editSeq = s.editSeq + 1
    const localIssues = validateLocally(s.nodes, s.edges, s.webhooks, settings)
    set({ settings, editSeq, saveState: 'dirty', localIssues, issues: shownIssues({ ...s, editSeq, localIssues }) })
  },

  saving(): void {
    set({ saveState: 'saving', saveError: null })
  },
  saved(seq: number, journey: JourneyDetail): void {
    const s = get()
    const savedSeq = seq
    const state: SaveState = savedSeq === s.editSeq ? 'saved' : 'dirty'
    set({
      journey,
      savedSeq,
      saveState: state,
      serverIssues: journey.issues,
      issues: shownIssues({ editSeq: s.editSeq, savedSeq, serverIssues: journey.issues, localIssues: s.localIssues }),
    })
  },
  saveFailed(message: string): void {
    set({ saveState: 'error', saveError: message })
  },
  setJourney(journey: JourneyDetail): void {
    set({ journey })
  },
  /** Issues the server answered on publish: shown on the canvas at once, whatever the draft state. */
  showIssues(issues: Issue[]): void {
    set({ serverIssues: issues, localIssues: issues, issues: indexIssues(issues) })
  },

  setStats(stats: JourneyStats | null): void {
    set({ stats })
  },
  /** `page` defaults to the one of the user already inspected, else the first page with nothing older. */
  inspect(userId: string, runs: RunView[], runIndex = 0, page?: InspectionPage): void {
    const s = get()
    const kept = s.inspection?.userId === userId ? s.inspection.page : { limit: RUNS_PAGE, more: false }
    const inspection = { userId, runs, runIndex: Math.min(runIndex, Math.max(0, runs.length - 1)), page: page ?? kept }
    set({ inspection, path: pathForInspection(inspection, s.nodes, s.edges) })
  },
  showUsersAt(nodeId: string | null): void {
    set(nodeId === null ? { usersAt: null } : { usersAt: nodeId, tab: 'users', inspection: null, path: null })
  },
  stopInspecting(): void {
    set({ inspection: null, path: null })
  },
  /** Draws a path that is no live user's (a simulated one): the inspector closes. */
  showPath(path: RunPath | null): void {
    set({ inspection: null, path })
  },
  setTab(tab: PanelTab): void {
    set({ tab, tabPicked: true })
  },
  setSampleData(sampleData: string): void {
    set({ sampleData })
  },
  dismissNotice(): void {
    set({ notice: null })
  },
}

/** The draft as the server stores it. */
export function currentDraft(): { name: string; graph: ReturnType<typeof fromFlow>; settings: JourneySettings } {
  const s = get()
  return { name: s.name, graph: fromFlow(s.nodes, s.edges), settings: s.settings }
}
