import { Liquid } from 'liquidjs'

export interface RenderLimits {
  /** Most milliseconds one template may spend rendering (liquidjs `renderLimit`). */
  renderMs: number
  /** Most bytes of strings and arrays one render may allocate (liquidjs `memoryLimit`). */
  memoryBytes: number
  /** Longest template accepted, in characters (liquidjs `parseLimit`). */
  templateChars: number
  /** Longest output kept, in characters; a longer one fails the render. */
  outputChars: number
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = {
  renderMs: 200,
  memoryBytes: 4 * 1024 * 1024,
  templateChars: 65_536,
  outputChars: 256 * 1024,
}

export type RenderOutcome = { ok: true; text: string } | { ok: false; reason: string }

export interface TemplateRenderer {
  render(template: string, scope: Record<string, unknown>): Promise<RenderOutcome>
}

/**
 * Liquid that cannot reach the file system (`templates: {}` replaces every include/render/layout
 * lookup) or prototypes, and stops a hostile template with a reason instead of stalling.
 */
export function createTemplateRenderer(limits: RenderLimits = DEFAULT_RENDER_LIMITS): TemplateRenderer {
  const liquid = new Liquid({
    templates: {},
    ownPropertyOnly: true,
    cache: false,
    parseLimit: limits.templateChars,
    renderLimit: limits.renderMs,
    memoryLimit: limits.memoryBytes,
  })
  return {
    async render(template, scope) {
      if (template.length > limits.templateChars) {
        return { ok: false, reason: `template is longer than ${limits.templateChars} characters` }
      }
      try {
        const out: unknown = await liquid.parseAndRender(template, scope)
        const text = typeof out === 'string' ? out : String(out)
        if (text.length > limits.outputChars) return { ok: false, reason: `rendered text is longer than ${limits.outputChars} characters` }
        return { ok: true, text }
      } catch (err) {
        return { ok: false, reason: `template error: ${describe(err)}` }
      }
    },
  }
}

function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  // liquidjs appends the template excerpt on later lines; the first line says what went wrong.
  return (message.split('\n')[0] ?? message).slice(0, 300)
}
