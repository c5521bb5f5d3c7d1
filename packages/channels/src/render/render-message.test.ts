import { describe, expect, it } from 'vitest'
import { makeJob } from '../test-support'
import { createTemplateRenderer, DEFAULT_RENDER_LIMITS } from './liquid'
import { renderMessage } from './render-message'

const renderer = createTemplateRenderer()

describe('rendering a message', () => {
  it('renders every string field with user, event, journey and message in scope', async () => {
    const job = makeJob('email', {
      subject: 'Hi {{ user.traits.name }} ({{ user.id }})',
      body: '{{ event.name }}: {{ event.properties.sku }} at {{ event.properties.price }} in {{ journey.name }} v{{ journey.version }}, ref {{ message.id }}',
      html: false,
    })
    const r = await renderMessage(job, renderer)
    expect(r).toEqual({
      ok: true,
      rendered: {
        channel: 'email',
        to: 'ada@example.test',
        fields: {
          subject: 'Hi Ada (u1)',
          body: `add_to_cart: SKU-42 at 19.5 in Cart abandoners v3, ref ${job.id}`,
          html: false,
        },
      },
    })
  })

  it('renders plain text and {{ a.b }} outputs at once, and sends only the rest to a thread', async () => {
    const asked: string[] = []
    const counting = { render: (t: string, scope: Record<string, unknown>) => (asked.push(t), renderer.render(t, scope)), renderNow: renderer.renderNow }
    const simple = await renderMessage(makeJob('email', { subject: 'Hi {{ user.traits.name }}', body: 'Plain', html: false }), counting)
    expect(simple.ok && simple.rendered.fields).toEqual({ subject: 'Hi Ada', body: 'Plain', html: false })
    expect(asked).toEqual([])
    const tagged = await renderMessage(makeJob('email', { subject: 'Hi {{ user.traits.name }}', body: '{% if user.traits.name %}Yes{% endif %}', html: false }), counting)
    expect(tagged.ok && tagged.rendered.fields).toEqual({ subject: 'Hi Ada', body: 'Yes', html: false })
    expect(asked).toContain('{% if user.traits.name %}Yes{% endif %}')
  })

  it('fails with the schema sentence when a required field renders empty', async () => {
    const r = await renderMessage(makeJob('sms', { text: '{{ user.traits.missing }}' }), renderer)
    expect(r).toEqual({ ok: false, reason: 'rendered message is invalid: text: An SMS needs a text.' })
  })

  it('fails with the field and the error for a broken template', async () => {
    const r = await renderMessage(makeJob('app_push', { title: '{% if %}', body: 'x' }), renderer)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.reason).toMatch(/^title: template error: /)
  })

  it('stops a template that loops for too long, with a reason', async () => {
    const started = Date.now()
    const r = await renderMessage(
      makeJob('sms', { text: '{% for a in (1..100000) %}{% for b in (1..100000) %}x{% endfor %}{% endfor %}' }),
      createTemplateRenderer({ ...DEFAULT_RENDER_LIMITS, renderMs: 50 }),
    )
    expect(r.ok).toBe(false)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('stops a template that allocates too much memory', async () => {
    const r = await renderMessage(
      makeJob('sms', { text: "{% assign s = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}" }),
      renderer,
    )
    expect(r.ok).toBe(false)
  })

  it('refuses output beyond the size cap', async () => {
    const small = createTemplateRenderer({ ...DEFAULT_RENDER_LIMITS, outputChars: 100 })
    const r = await renderMessage(makeJob('sms', { text: '{% for i in (1..50) %}abc{% endfor %}' }), small)
    expect(r).toEqual({ ok: false, reason: 'text: template output is larger than 100 characters' })
  })

  it('cannot read files through include or render', async () => {
    const r = await renderMessage(makeJob('sms', { text: "{% include '/etc/passwd' %}{% render 'package.json' %}" }), renderer)
    expect(r.ok).toBe(false)
  })

  it('does not reach prototypes', async () => {
    const r = await renderMessage(makeJob('sms', { text: 'x{{ user.constructor.name }}{{ user.traits.__proto__ }}' }), renderer)
    expect(r).toMatchObject({ ok: true, rendered: { fields: { text: 'x' } } })
  })
})

describe('templates whose work hides inside one filter', () => {
  it.each([
    ['where_exp over a million', '{{ (1..1000000) | where_exp: "x", "x > 5" | size }}'],
    ['sort_natural over a million', '{{ (1..1000000) | sort_natural | size }}'],
    ['contains inside where_exp', '{% assign big = (1..10000) %}{{ (1..10000) | where_exp: "x", "big contains x" | size }}'],
  ])('are cut off by the deadline (%s)', async (_name, text) => {
    const started = performance.now()
    const r = await renderMessage(makeJob('sms', { text }), renderer)
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/^text: template error: /) })
    // The 1 s target is measured by `pnpm bench` (figure 9); on a loaded CI machine a replaced
    // thread can take a while to start, so this only bounds the cut-off generously.
    expect(performance.now() - started).toBeLessThan(3000)
  })
})
