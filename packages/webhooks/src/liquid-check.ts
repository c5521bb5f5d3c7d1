import { Liquid } from 'liquidjs'
import { DEFAULT_TEMPLATE_LIMITS } from './template-body'

// Parsing only: no template runs here, so it is safe on the main thread. The renderers' options
// (no file system; strict filters for webhook bodies, lenient for messages), so what parses here
// parses at send time.
const options = { parseLimit: DEFAULT_TEMPLATE_LIMITS.parseLimit, ownPropertyOnly: true, cache: false, templates: {} }
const parsers = { webhook: new Liquid({ ...options, strictFilters: true }), message: new Liquid({ ...options, strictFilters: false }) }

/** Null when the Liquid parses as the renderer of `kind` will parse it, else what is wrong. */
export function checkLiquid(template: string, kind: keyof typeof parsers): string | null {
  if (template.length > options.parseLimit) return `it is longer than ${options.parseLimit} characters`
  try {
    parsers[kind].parse(template)
    return null
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    // liquidjs appends the template's lines and a caret drawing: the first line says it.
    return message.split('\n')[0]?.replace(/[.:,\s]+$/, '') || 'it does not parse'
  }
}
