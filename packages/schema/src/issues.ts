/**
 * Stable codes of the problems validateGraph reports. Clients (the canvas, tests, scripts) key on
 * these codes: never rename one, only add.
 */
export const ISSUE_CODES = [
  'graph.malformed',
  'graph.cycle',
  'trigger.missing',
  'trigger.multiple',
  'node.duplicate_id',
  'node.reserved_id',
  'node.invalid_id',
  'node.unknown_type',
  'node.invalid_data',
  'node.unreachable',
  'edge.duplicate_id',
  'edge.missing_source',
  'edge.missing_target',
  'edge.unknown_outlet',
  'edge.outlet_reused',
  'edge.self_loop',
  'edge.into_trigger',
  'outlet.unconnected',
  'action.invalid_message',
  'wait.status_not_in_channel',
  'wait.no_preceding_action',
  'duration.out_of_range',
  'condition.unknown_operator',
  'condition.unknown_path_root',
  'condition.malformed',
  'delay.invalid_path',
  'webhook.unknown',
  'provider.unknown',
  'template.invalid',
  'split.branch_count',
  'split.duplicate_branch',
  'split.percent_sum',
  'split.winner_without_goal',
] as const
export type IssueCode = (typeof ISSUE_CODES)[number]

export interface ValidationIssue {
  code: IssueCode
  nodeId?: string
  edgeId?: string
  /** A sentence a marketer understands, saying what to fix. */
  message: string
  /** Where in the node's data, when it concerns one field: `data.within.amount`. */
  field?: string
}
