'use strict'
// The Liquid renderer's worker thread (see liquid-pool.ts). Plain CommonJS so Node runs it as it
// is, under tsx, vitest or node alike. One message in, one message out, for a chunk of renders:
//   { jobs: [{ id, template, scope, limits }] } -> { results: [{ id, ok: true, output } | { id, ok: false, error }] }
// The parent enforces the hard deadline by terminating this thread; the limits here make the
// ordinary cases fail fast and with a precise reason.
const { parentPort } = require('node:worker_threads')
const { Context, Liquid, toValue, toValueSync } = require('liquidjs')

class OutputTooLarge extends Error {}
class ArrayTooLong extends Error {}

// Filters that walk a whole array (and range) per call: the work of one `{{ }}` that the render
// limit, checked only between template nodes, cannot interrupt. Longer inputs are refused.
const ARRAY_FILTERS = [
  'where', 'where_exp', 'reject', 'reject_exp', 'find', 'find_exp', 'find_index', 'find_index_exp',
  'has', 'has_exp', 'group_by', 'group_by_exp', 'map', 'sum', 'sort', 'sort_natural', 'uniq',
  'compact', 'concat', 'reverse', 'join', 'slice', 'push', 'unshift', 'pop', 'shift', 'sample',
  'first', 'last', 'array_to_sentence_string',
]

/** One configured Liquid per distinct set of limits (in practice: webhook bodies and messages). */
const engines = new Map()

function engineFor(limits) {
  const key = JSON.stringify([limits.parseLimit, limits.renderLimit, limits.memoryLimit, limits.maxArray, limits.strictFilters])
  let liquid = engines.get(key)
  if (liquid !== undefined) return liquid
  liquid = new Liquid({
    parseLimit: limits.parseLimit,
    renderLimit: limits.renderLimit,
    memoryLimit: limits.memoryLimit,
    strictFilters: limits.strictFilters,
    ownPropertyOnly: true,
    cache: false,
    // No file system: include/render/layout find nothing.
    templates: {},
  })
  const tooLong = (value) => {
    const v = toValue(value)
    return Array.isArray(v) && v.length > limits.maxArray
  }
  for (const name of ARRAY_FILTERS) {
    const original = liquid.filters[name]
    if (original === undefined) continue
    const handler = typeof original === 'function' ? original : original.handler
    const raw = typeof original === 'function' ? false : Boolean(original.raw)
    liquid.registerFilter(name, {
      raw,
      handler(...args) {
        if (args.some(tooLong)) throw new ArrayTooLong(`${name} was given more than ${limits.maxArray} items`)
        return handler.apply(this, args)
      },
    })
  }
  engines.set(key, liquid)
  return liquid
}

/** Stops the render the moment the output passes the cap, instead of after building it. */
class CappedEmitter {
  constructor(limit) {
    this.limit = limit
    this.buffer = ''
  }
  write(html) {
    const text = stringify(html)
    if (this.buffer.length + text.length > this.limit) throw new OutputTooLarge()
    this.buffer += text
  }
}

function stringify(value) {
  const v = toValue(value)
  if (typeof v === 'string') return v
  if (v === null || v === undefined) return ''
  if (Array.isArray(v)) return v.map(stringify).join('')
  return String(v)
}

function find(err, type) {
  let current = err
  for (let i = 0; i < 5 && current instanceof Error; i += 1) {
    if (current instanceof type) return current
    current = current.cause ?? current.originalError
  }
  return null
}

function render(template, scope, limits) {
  if (template.length > limits.parseLimit) return { ok: false, error: `template is longer than ${limits.parseLimit} characters` }
  try {
    const liquid = engineFor(limits)
    const parsed = liquid.parse(template)
    const emitter = new CappedEmitter(limits.outputLimit)
    const ctx = new Context(scope, liquid.options, { sync: true }, { liquid })
    toValueSync(liquid.renderer.renderTemplates(parsed, ctx, emitter))
    return { ok: true, output: emitter.buffer }
  } catch (err) {
    if (find(err, OutputTooLarge)) return { ok: false, error: `template output is larger than ${limits.outputLimit} characters` }
    const long = find(err, ArrayTooLong)
    if (long) return { ok: false, error: `template error: ${long.message}` }
    const message = err instanceof Error ? err.message : 'template failed'
    // liquidjs appends the template excerpt on later lines; the first line says what went wrong.
    return { ok: false, error: `template error: ${(message.split('\n')[0] || message).slice(0, 300)}` }
  }
}

parentPort.on('message', (message) => {
  parentPort.postMessage({ results: message.jobs.map((job) => ({ id: job.id, ...render(job.template, job.scope, job.limits) })) })
})
// A first render compiles liquidjs's hot paths: done here, before the pool starts counting
// deadlines, so a fresh thread's first real render is not the one that pays for it.
render('{% for i in (1..20) %}{{ i | plus: 1 | append: "x" | upcase }}{% if i > 10 %}{{ i | json }}{% endif %}{% endfor %}', {}, {
  parseLimit: 65_536,
  renderLimit: 1_000,
  memoryLimit: 1024 * 1024,
  outputLimit: 65_536,
  maxArray: 1_000,
  strictFilters: false,
})
// Loaded: the pool starts counting deadlines from here on.
parentPort.postMessage({ ready: true })
