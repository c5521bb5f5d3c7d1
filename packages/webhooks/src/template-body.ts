import { Context, type Emitter, Liquid, toValue, toValueSync } from 'liquidjs'
import type { BodySource } from './activity-item'
import { contextScope, resolveParams } from './params'

export interface TemplateLimits {
  /** Characters of template parsed per render. */
  parseLimit: number
  /** Milliseconds one render may take. */
  renderLimit: number
  /** liquidjs's allocation budget (array/string building inside filters and tags). */
  memoryLimit: number
  /** Characters of output. */
  outputLimit: number
}

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = {
  parseLimit: 65_536,
  renderLimit: 250,
  memoryLimit: 10_000_000,
  outputLimit: 256 * 1024,
}

export type RenderResult = { ok: true; output: string } | { ok: false; error: string }

class OutputTooLarge extends Error {}

/** Stops the render the moment the output passes the cap, instead of after building it. */
class CappedEmitter implements Emitter {
  buffer = ''
  constructor(private readonly limit: number) {}
  write(html: unknown): void {
    const text = stringify(html)
    if (this.buffer.length + text.length > this.limit) throw new OutputTooLarge()
    this.buffer += text
  }
}

function stringify(value: unknown): string {
  const v: unknown = toValue(value)
  if (typeof v === 'string') return v
  if (v === null || v === undefined) return ''
  if (Array.isArray(v)) return v.map((x: unknown) => stringify(x)).join('')
  return String(v)
}

/**
 * Renders a body template synchronously within hard limits, so a hostile template (huge loops,
 * doubling strings, megabytes of output) fails with an error instead of stalling the dispatcher.
 * No file system: `include`/`render` of files has nothing to read.
 */
export function createTemplateRenderer(limits: TemplateLimits = DEFAULT_TEMPLATE_LIMITS) {
  const liquid = new Liquid({
    parseLimit: limits.parseLimit,
    renderLimit: limits.renderLimit,
    memoryLimit: limits.memoryLimit,
    ownPropertyOnly: true,
    strictFilters: true,
    templates: {},
  })

  return function render(template: string, scope: Record<string, unknown>): RenderResult {
    try {
      const parsed = liquid.parse(template)
      const emitter = new CappedEmitter(limits.outputLimit)
      const ctx = new Context(scope, liquid.options, { sync: true }, { liquid })
      toValueSync(liquid.renderer.renderTemplates(parsed, ctx, emitter))
      return { ok: true, output: emitter.buffer }
    } catch (err) {
      if (findOutputTooLarge(err)) return { ok: false, error: `template output is larger than ${limits.outputLimit} characters` }
      const message = err instanceof Error ? err.message : 'template failed'
      return { ok: false, error: `template error: ${message.slice(0, 300)}` }
    }
  }
}

function findOutputTooLarge(err: unknown): boolean {
  let current = err
  for (let i = 0; i < 5 && current instanceof Error; i += 1) {
    if (current instanceof OutputTooLarge) return true
    current = current.cause ?? ('originalError' in current ? current.originalError : undefined)
  }
  return false
}

/** `user`, `event`, `journey`, `message`, `custom_params` and the chosen `params` in scope. */
export function templateScope(source: BodySource): Record<string, unknown> {
  return {
    ...contextScope(source.context),
    custom_params: source.customParams,
    params: resolveParams(source.params, source.context),
  }
}
