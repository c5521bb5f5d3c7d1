import { Liquid } from 'liquidjs'
import { describe, expect, it } from 'vitest'
import type { LiquidLimits } from './liquid-pool'
import { renderSimple } from './liquid-simple'

const LIMITS: LiquidLimits = { parseLimit: 65_536, renderLimit: 200, memoryLimit: 4 << 20, outputLimit: 256 * 1024, maxArray: 10_000, strictFilters: false, deadlineMs: 400 }
// The worker's options that bear on outputs (liquid-worker.cjs).
const liquid = new Liquid({ ownPropertyOnly: true, cache: false, templates: {} })

const scope = {
  user: { id: 'ann', traits: { name: 'Ann', age: 41, score: 0.5, vip: false, none: null, tags: ['a', 'b'], address: { city: 'Pune' }, size: 3, first: 'x', 'first-name': 'hy', zero: 0, empty: '' } },
  event: { name: 'signed_up', properties: { plan: 'trial', amount: 1e21, nested: { deep: { value: 'ok' } } } },
  journey: { id: 'j1', name: 'Welcome {{ user.id }}', version: 2 },
}

describe('simple Liquid templates rendered without a thread', () => {
  it('gives what liquidjs gives for text and outputs of plain values', () => {
    const templates = [
      'Welcome, {{ user.traits.name }}',
      '{{user.traits.name}}{{ user.traits.age }}',
      'Age {{ user.traits.age }}, score {{ user.traits.score }}, vip {{ user.traits.vip }}, none [{{ user.traits.none }}], zero {{ user.traits.zero }}, empty [{{ user.traits.empty }}]',
      'Missing [{{ user.traits.nothing }}] [{{ nobody.at.all }}] [{{ user.traits.none.at.all }}]',
      '{{ event.properties.amount }} {{ event.properties.nested.deep.value }}',
      'Journey {{ journey.name }} v{{ journey.version }}',
      'stray }} and {{ user.id }} }}',
      '{{\n  user.id\n}}',
      'no outputs at all',
      '',
    ]
    for (const template of templates) {
      const simple = renderSimple(template, scope, LIMITS)
      expect(simple, template).not.toBeNull()
      expect(simple, template).toEqual({ ok: true, output: liquid.parseAndRenderSync(template, scope) })
    }
  })

  it('leaves to the pool what Liquid reads its own way: tags, filters, literals, size/first/last, arrays and objects', () => {
    for (const template of [
      '{% if user.traits.vip %}VIP{% endif %}',
      '{{ user.traits.name | upcase }}',
      '{{ user.traits.tags }}',
      '{{ user.traits.address }}',
      '{{ user.traits.tags.first }}',
      '{{ user.traits.size }}',
      '{{ user.traits.first }}',
      '{{ user.traits["name"] }}',
      '{{ user.traits.first-name }}',
      '{{- user.id -}}',
      '{{ "literal" }}',
      '{{ true }}',
      '{{ nil }}',
      '{{ user.traits.name.size }}',
      '{{ user.traits.tags.length }}',
      '{{ user.traits.name.nothing }}',
      '{{ user.id',
    ]) {
      expect(renderSimple(template, scope, LIMITS), template).toBeNull()
    }
  })

  it('leaves a template or an output past the limits to the pool, which says which limit', () => {
    expect(renderSimple('x'.repeat(20) + '{{ user.id }}', scope, { ...LIMITS, parseLimit: 10 })).toBeNull()
    expect(renderSimple('{{ user.traits.name }}{{ user.traits.name }}', scope, { ...LIMITS, outputLimit: 5 })).toBeNull()
    expect(renderSimple('{{ user.traits.name }}', scope, { ...LIMITS, outputLimit: 5 })).toEqual({ ok: true, output: 'Ann' })
  })

  it('reads own properties only, as the worker does', () => {
    const template = '[{{ user.constructor }}][{{ user.traits.toString }}][{{ user.__proto__ }}]'
    const simple = renderSimple(template, scope, LIMITS)
    expect(simple).toEqual({ ok: true, output: liquid.parseAndRenderSync(template, scope) })
    expect(simple).toEqual({ ok: true, output: '[][][]' })
  })
})
