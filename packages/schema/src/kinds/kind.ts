import { z } from 'zod'
import type { IssueCode } from '../issues'
import type { RawRecord } from '../validate-read'
import type { NodeContext, NodeFacts, Position } from './check'

/** Reports a problem found across the journey (no field of the node's own data). */
export type AddIssue = (code: IssueCode, message: string, at: { nodeId?: string; field?: string }) => void

/**
 * Everything the contract says about one kind of node. Each kind is one module under `kinds/`
 * exporting one of these; `kinds/index.ts` lists them, and every other layer's registry is typed
 * `satisfies Record<NodeType, …>` over that list.
 */
export interface NodeKindSpec<T extends string = string, N = unknown> {
  type: T
  /** The typed node: `{ id, type, position, data }`. */
  node: z.ZodType<N>
  /** The kind's name on the palette and in messages ("Wait for event"). */
  label: string
  description: string
  /**
   * Its outlets (edge `sourceHandle`s), in display order. Read from the node's draft data where
   * they vary (a split's branches), so a half-filled draft still has the outlets it shows.
   */
  outlets(data: RawRecord): readonly string[]
  /** The outlets that must be connected for the journey to publish. */
  required(data: RawRecord): readonly string[]
  /** What an outlet is for, to say what to connect to it ("the step that comes next"). */
  purpose(outlet: string): string
  /** How messages name an outlet when its id is not what the user sees (a split's branch label). */
  outletName?(outlet: string, data: RawRecord): string
  /** Reads the node's draft data, reporting every problem: the typed node when there is none. */
  check(ctx: NodeContext, data: RawRecord, position: Position): NodeFacts<N>
  /** Checks that need the journey around the node (its settings, when validateGraph is given them), once the node is valid. */
  checkInJourney?(node: N, journey: { settings: RawRecord | undefined }, add: AddIssue): void
}

export const NodePosition = z.object({ x: z.number(), y: z.number() })

export function nodeSchema<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.object({ id: z.string().min(1), type: z.literal(type), position: NodePosition, data })
}

/** Outlets for kinds whose outlets never change: the list, the required ones, and their purposes. */
export function fixedOutlets<O extends string>(purposes: Record<O, string>, required: readonly O[]) {
  const outlets: readonly string[] = Object.keys(purposes)
  const lookup: Record<string, string> = purposes
  return {
    outlets: () => outlets,
    required: () => required,
    purpose: (outlet: string) => lookup[outlet] ?? 'the step that comes next',
  }
}
