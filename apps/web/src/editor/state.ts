/** The editor's state: its shape, its initial value, the zustand store that holds it, and notices. */
import { create } from 'zustand'
import { type JourneySettings, type JourneyStats, type RunView } from '@switchyard/schema'
import type { Issue, JourneyDetail, WebhookView } from '../api/schemas'
import type { IssueIndex } from './derived'
import type { FlowEdge, FlowNode } from '../flow/types'
import type { RunPath } from './paths'
import { SAMPLE_DATA } from './sampleData'

export interface Snapshot {
  nodes: FlowNode[]
  edges: FlowEdge[]
}

export type SaveState = 'saved' | 'saving' | 'dirty' | 'error'
export type PanelTab = 'node' | 'journey' | 'users' | 'test'


export interface Inspection {
  userId: string
  runs: RunView[]
  runIndex: number
  /** How many of the newest runs are asked for, and whether the user has older ones. */
  page: InspectionPage
}

/** Runs the inspector asks for at a time, and the most it shows (what the server answers at once). */
export const RUNS_PAGE = 20
export const RUNS_MAX = 100

export interface InspectionPage {
  limit: number
  more: boolean
}

export interface EditorState {
  journey: JourneyDetail | null
  name: string
  settings: JourneySettings
  nodes: FlowNode[]
  edges: FlowEdge[]
  /** Outlets of each node that lead somewhere: `matched,timeout`. Kept so node cards need not scan edges. */
  connected: Record<string, string>
  /** Every step's name as cards, problems and the timeline show it. */
  labels: Record<string, string>
  past: Snapshot[]
  future: Snapshot[]
  coalesce: { key: string; at: number } | null
  clipboard: Snapshot | null
  /** Bumped by every change that is saved with the draft; autosave runs until savedSeq catches up. */
  editSeq: number
  savedSeq: number
  saveState: SaveState
  saveError: string | null
  serverIssues: Issue[]
  /** Issues of the graph as it is now: computed locally when the schema can, else the server's. */
  localIssues: Issue[] | null
  issues: IssueIndex
  webhooks: WebhookView[]
  stats: JourneyStats | null
  inspection: Inspection | null
  /** The step whose users the Users tab lists ("here now" on a card), or null for all. */
  usersAt: string | null
  path: RunPath | null
  tab: PanelTab
  /** The user picked a tab since the editor opened: loading the journey keeps it. */
  tabPicked: boolean
  notice: { kind: 'error' | 'info'; text: string; at: number } | null
  sampleData: string
}

export const initial = {
  journey: null,
  name: '',
  settings: { reentry: 'afterExit' as const },
  nodes: [],
  edges: [],
  connected: {},
  labels: {},
  past: [],
  future: [],
  coalesce: null,
  clipboard: null,
  editSeq: 0,
  savedSeq: 0,
  saveState: 'saved' as const,
  saveError: null,
  serverIssues: [],
  localIssues: null,
  issues: { byNode: {}, byEdge: {}, all: [] },
  stats: null,
  inspection: null,
  usersAt: null,
  path: null,
  tab: 'journey' as const,
  tabPicked: false,
  notice: null,
  sampleData: SAMPLE_DATA,
} satisfies Omit<EditorState, 'webhooks'>

export const useEditor = create<EditorState>(() => ({ ...initial, webhooks: [] }))

const set = useEditor.setState

export function notify(text: string, kind: 'error' | 'info' = 'error'): void {
  set({ notice: { kind, text, at: Date.now() } })
}
