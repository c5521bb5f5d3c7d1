import type { ComponentType, ReactElement } from 'react'
import type { IssueCode, NodeType } from '@switchyard/schema'
import type { WebhookView } from '../api/schemas'
import type { NodeData } from '../flow/types'
import type { FormProps } from '../editor/panel/fields'

/** How an outlet reads at a glance: the hoped-for way out, the fallback, or neither. */
export type OutletTone = 'good' | 'bad' | 'plain'

/** What a summary may look up beyond the node's own data. */
export interface SummaryContext {
  webhooks: readonly WebhookView[]
}

/**
 * Everything the canvas says about one kind of node: its look, its card and its form. One module
 * per kind under `kinds/`, listed in `kinds/index.ts`; a kind the schema has and the canvas lacks
 * does not compile.
 */
export interface CanvasKind<T extends NodeType = NodeType> {
  type: T
  /** Accent colour, on the card, the palette and the minimap. */
  color: string
  /** Light tint of the accent, for backgrounds. */
  tint: string
  /** Prefix of generated node ids: `msg_k3p9x`. */
  idPrefix: string
  /** Data of a node just dropped from the palette. */
  initialData: () => NodeData
  /** SVG path of the kind's icon, drawn in a 24×24 box with a round stroke. */
  icon: string
  /** A few words under the kind's name on the palette. */
  hint: string
  /** False for a kind that starts the journey: nothing leads into it. */
  inlet: boolean
  /** True for a kind where users wait for a time: the card says until when. */
  waits: boolean
  /** Issue codes of this kind the card lists first, after a missing connection. */
  urgentIssues?: readonly IssueCode[]
  /** What the node does, in a few words, for its card and the inspector. */
  summary: (data: NodeData, ctx: SummaryContext) => string
  /** How the marketer reads an outlet of this node, on its card and its edges. */
  outletLabel?: (outlet: string, data: NodeData) => string
  /** Colours an outlet's name on edges and in timelines (matched green, timeout amber); plain if absent. */
  outletTone?: (outlet: string) => OutletTone
  /** A second line under an outlet's label on the card (a branch's share). */
  outletNote?: (outlet: string, data: NodeData) => string
  /** The card's width when it needs more than the usual 248px (a split with many branches). */
  width?: (data: NodeData) => number
  /** More of the card under the summary (a split's branches and their figures). */
  Card?: ComponentType<{ id: string; data: NodeData }>
  /** The kind's form in the side panel. */
  Form: (props: FormProps) => ReactElement
}
