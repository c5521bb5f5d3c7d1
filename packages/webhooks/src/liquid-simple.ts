import type { LiquidLimits, LiquidOutcome } from './liquid-pool'

/** A template cut into text and the property paths of its `{{ }}` outputs, text first and last. */
interface SimpleTemplate {
  texts: string[]
  paths: string[][]
}

/** `name` or `a.b.c`: no filters, brackets, literals, whitespace control or hyphens. */
const PATH = /^\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*$/
/** Names Liquid reads as something other than a property: literals at the root, and the size, first and last of a value. */
const LITERALS = new Set(['nil', 'null', 'true', 'false', 'empty', 'blank'])
const SPECIAL = new Set(['size', 'first', 'last'])

const parsed = new Map<string, SimpleTemplate | null>()
const PARSED_KEPT = 1000

/** Splits a template made only of text and `{{ path }}` outputs; null for anything else. */
function parse(template: string): SimpleTemplate | null {
  if (template.includes('{%')) return null
  const texts: string[] = []
  const paths: string[][] = []
  let at = 0
  for (;;) {
    const open = template.indexOf('{{', at)
    if (open < 0) break
    const close = template.indexOf('}}', open + 2)
    if (close < 0) return null
    const path = PATH.exec(template.slice(open + 2, close))?.[1]?.split('.')
    if (!path || LITERALS.has(path[0] as string) || path.some((name) => SPECIAL.has(name))) return null
    texts.push(template.slice(at, open))
    paths.push(path)
    at = close + 2
  }
  texts.push(template.slice(at))
  return { texts, paths }
}

/** A value output as Liquid outputs it, or null where that takes more than `String` (arrays, objects). */
function output(value: unknown): string | null {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return null
}

function lookup(scope: Record<string, unknown>, path: readonly string[]): { value: unknown } | null {
  let value: unknown = scope
  for (const name of path) {
    if (value === null || value === undefined) return { value: undefined }
    // Only plain objects are walked here; strings and arrays have properties Liquid treats its own way.
    if (typeof value !== 'object' || Array.isArray(value)) return null
    value = Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined
  }
  return { value }
}

/**
 * Renders, on the calling thread, a template of plain text and `{{ a.b.c }}` outputs of strings,
 * numbers, booleans or nothing: most subjects and greetings. Such a template cannot loop or
 * build anything but its output, so it needs none of the pool's limits but the sizes, and the
 * trip to a thread (a structured clone of the scope each way) cost more than the render.
 * Null: anything else, for the pool. Its answers are liquidjs's (`liquid-simple.test.ts`).
 */
export function renderSimple(template: string, scope: Record<string, unknown>, limits: LiquidLimits): LiquidOutcome | null {
  if (template.length > limits.parseLimit) return null
  let simple = parsed.get(template)
  if (simple === undefined) {
    simple = parse(template)
    if (parsed.size >= PARSED_KEPT) parsed.clear()
    parsed.set(template, simple)
  }
  if (simple === null) return null
  let out = simple.texts[0] ?? ''
  for (let i = 0; i < simple.paths.length; i++) {
    const found = lookup(scope, simple.paths[i] as string[])
    const text = found === null ? null : output(found.value)
    if (text === null) return null
    out += text + (simple.texts[i + 1] ?? '')
    if (out.length > limits.outputLimit) return null
  }
  return { ok: true, output: out }
}
