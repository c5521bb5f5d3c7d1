import { afterEach, describe, expect, it } from 'vitest'
import { createTemplateRenderer } from './template-body'
import { type Receiver, sampleJob, startReceiver, testService } from './testing'

const render = createTemplateRenderer()

describe('template bodies', () => {
  it('renders with the scope a journey node has', () => {
    expect(render('{{ user.traits.FIRSTNAME | upcase }} {{ custom_params.k }}', { user: { traits: { FIRSTNAME: 'jane' } }, custom_params: { k: 'v' } })).toEqual({
      ok: true,
      output: 'JANE v',
    })
  })

  it.each([
    ['nested loops', '{% for i in (1..100000000) %}{% for j in (1..100000000) %}x{% endfor %}{% endfor %}'],
    ['string doubling', `{% assign s = "xxxxxxxxxx" %}${'{% assign s = s | append: s %}'.repeat(40)}{{ s | size }}`],
    ['huge output', '{% for i in (1..100000000) %}0123456789abcdef{% endfor %}'],
    ['capture of a huge loop', '{% capture c %}{% for i in (1..100000000) %}yyyyyyyyyy{% endfor %}{% endcapture %}{{ c | size }}'],
    ['a huge join', '{% assign a = (1..100000000) %}{{ a | join: "," | size }}'],
  ])('cuts off a hostile template (%s) with an error, quickly', (_name, template) => {
    const started = Date.now()
    const result = render(template, {})
    expect(result.ok).toBe(false)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('caps the output size', () => {
    expect(render('{% for i in (1..20000) %}0123456789abcdef{% endfor %}', {})).toEqual({ ok: false, error: 'template output is larger than 262144 characters' })
  })

  it('refuses an over-long template and reads no files', () => {
    expect(render('x'.repeat(70_000), {}).ok).toBe(false)
    expect(render("{% include '/etc/passwd' %}", {}).ok).toBe(false)
  })

  it('reports syntax errors as values', () => {
    expect(render('{% if %}', {})).toMatchObject({ ok: false, error: expect.stringMatching(/^template error: /) })
  })
})

describe('a hostile template in a delivery', () => {
  let receiver: Receiver | null = null
  afterEach(async () => {
    await receiver?.close()
  })

  it('kills that delivery without a request, and the next one still goes', async () => {
    receiver = await startReceiver()
    const { service } = testService({ batchSize: 1 })
    const created = service.create({ name: 'CRM', url: receiver.url })
    if (!created.ok) throw new Error(created.message)
    service.enqueue(sampleJob(created.value.id, { id: 'evil', body: { kind: 'template', template: '{% for i in (1..100000000) %}{% for j in (1..100000000) %}x{% endfor %}{% endfor %}' } }))
    service.enqueue(sampleJob(created.value.id, { id: 'fine' }))
    const started = Date.now()
    await service.tick()
    expect(Date.now() - started).toBeLessThan(3000)
    const list = service.deliveries(created.value.id)
    if (!list.ok) throw new Error(list.message)
    expect(list.value.find((d) => d.id === 'evil')).toMatchObject({ status: 'dead', history: [{ status: null, error: expect.stringMatching(/^template error: .*limit exceeded/) }] })
    expect(list.value.find((d) => d.id === 'fine')?.status).toBe('delivered')
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(['fine'])
    expect(service.get(created.value.id)).toMatchObject({ ok: true, value: { state: 'active' } })
    await service.close()
  })
})
