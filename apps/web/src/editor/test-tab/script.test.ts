import { describe, expect, it } from 'vitest'
import { missingTraits, parseScript } from './script'

describe('the Test tab script', () => {
  it('reads events, activity statuses, users and properties, one a line', () => {
    expect(parseScript('+0s: add_to_cart {"sku": "A-1"}\n\n# later\n+2d: opened\nben +1h: purchase', 'asha')).toEqual([
      { ok: true, event: { at: '+0s', userId: 'asha', type: 'track', event: 'add_to_cart', properties: { sku: 'A-1' } } },
      { ok: true, event: { at: '+2d', userId: 'asha', type: 'track', activity: { status: 'opened' } } },
      { ok: true, event: { at: '+1h', userId: 'ben', type: 'track', event: 'purchase' } },
    ])
  })

  it('says which line it cannot read and how to write it', () => {
    const [bad, props] = parseScript('tomorrow: opened\n+1d: buy {"a": ', 'asha')
    expect(bad).toMatchObject({ ok: false, line: 1, message: expect.stringContaining('+2d: opened') })
    expect(props).toMatchObject({ ok: false, line: 2 })
  })
})

describe('missing traits', () => {
  it('names the traits a message reads that the user lacks', () => {
    const message = { subject: 'Hi {{ user.traits.firstName }}', body: '{{ user.traits.city | default: "you" }} {{ user.traits.email }}' }
    expect(missingTraits(message, { email: 'a@b.c', firstName: '' })).toEqual(['city', 'firstName'])
    expect(missingTraits(message, { email: 'a@b.c', firstName: 'Asha', city: 'Pune' })).toEqual([])
  })
})
