import { type LiquidLimits, sharedLiquidPool } from '@switchyard/webhooks'

export interface RenderLimits {
  /** Most milliseconds one template may spend rendering (liquidjs `renderLimit`, checked between nodes). */
  renderMs: number
  /** Most bytes of strings and arrays one render may allocate (liquidjs `memoryLimit`). */
  memoryBytes: number
  /** Longest template accepted, in characters (liquidjs `parseLimit`). */
  templateChars: number
  /** Longest output kept, in characters; a longer one fails the render. */
  outputChars: number
  /** Longest array or range an array filter (`where_exp`, `map`, `sort_natural`, `uniq`...) accepts. */
  maxArray: number
  /** Wall-clock milliseconds before the render's thread is terminated: the limit nothing escapes. */
  deadlineMs: number
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = {
  renderMs: 200,
  memoryBytes: 4 * 1024 * 1024,
  templateChars: 65_536,
  outputChars: 256 * 1024,
  maxArray: 10_000,
  deadlineMs: 400,
}

export type RenderOutcome = { ok: true; text: string } | { ok: false; reason: string }

export interface TemplateRenderer {
  render(template: string, scope: Record<string, unknown>): Promise<RenderOutcome>
  /** The same answer at once when no thread is needed (plain text, \`{{ a.b }}\` outputs); else null. */
  renderNow(template: string, scope: Record<string, unknown>): RenderOutcome | null
}

/**
 * Liquid on the process's one worker pool (`sharedLiquidPool` of `@switchyard/webhooks`): no file system (`templates: {}`), no
 * prototypes, and a hostile template stops with a reason instead of stalling the send path or
 * the HTTP server (see that package's README for why every render goes to a thread).
 */
export function createTemplateRenderer(limits: RenderLimits = DEFAULT_RENDER_LIMITS): TemplateRenderer {
  const bounds: LiquidLimits = {
    parseLimit: limits.templateChars,
    renderLimit: limits.renderMs,
    memoryLimit: limits.memoryBytes,
    outputLimit: limits.outputChars,
    maxArray: limits.maxArray,
    deadlineMs: limits.deadlineMs,
    strictFilters: false,
  }
  const pool = sharedLiquidPool()
  return {
    async render(template, scope) {
      return outcome(await pool.render(template, scope, bounds))
    },
    renderNow(template, scope) {
      const out = pool.renderNow(template, scope, bounds)
      return out === null ? null : outcome(out)
    },
  }
}

function outcome(out: { ok: true; output: string } | { ok: false; error: string }): RenderOutcome {
  return out.ok ? { ok: true, text: out.output } : { ok: false, reason: out.error }
}
