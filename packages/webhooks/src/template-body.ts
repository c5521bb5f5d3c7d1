import type { BodySource } from './activity-item'
import { type LiquidLimits, type LiquidOutcome, type LiquidPool, sharedLiquidPool } from './liquid-pool'
import { contextScope, resolveParams } from './params'

export type TemplateLimits = Omit<LiquidLimits, 'strictFilters'>

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = {
  parseLimit: 65_536,
  renderLimit: 250,
  memoryLimit: 10_000_000,
  outputLimit: 256 * 1024,
  maxArray: 10_000,
  deadlineMs: 400,
}

export type RenderResult = LiquidOutcome

export interface TemplateRenderer {
  render(template: string, scope: Record<string, unknown>): Promise<RenderResult>
}

/**
 * Renders body templates on the Liquid worker pool within hard limits, so a hostile template (huge
 * loops, doubling strings, a filter over a million items, megabytes of output) fails with an error
 * instead of stalling the dispatcher or the HTTP server. No file system: `include`/`render` of files
 * has nothing to read.
 */
export function createTemplateRenderer(limits: TemplateLimits = DEFAULT_TEMPLATE_LIMITS, pool: LiquidPool = sharedLiquidPool()): TemplateRenderer {
  const bounds: LiquidLimits = { ...limits, strictFilters: true }
  return { render: (template, scope) => pool.render(template, scope, bounds) }
}

/** `user`, `event`, `journey`, `message`, `custom_params` and the chosen `params` in scope. */
export function templateScope(source: BodySource): Record<string, unknown> {
  return {
    ...contextScope(source.context),
    custom_params: source.customParams,
    params: resolveParams(source.params, source.context),
  }
}
