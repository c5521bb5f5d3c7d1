import type { Graph } from './graph'
import type { ValidationIssue } from './issues'

export interface ValidateOptions {
  /** Ids of configured webhooks; when given, a webhook node naming another id is an issue. */
  webhookIds?: ReadonlySet<string>
}

export type ValidationResult = { ok: true; graph: Graph; issues: [] } | { ok: false; issues: ValidationIssue[] }

/** Checks a draft graph and returns every problem at once. Implemented in the next commit. */
export function validateGraph(_input: unknown, _options: ValidateOptions = {}): ValidationResult {
  throw new Error('validateGraph is not implemented yet')
}
