import { describe, expect, it } from 'vitest'
import { HttpConfig } from './provider'
import { WebhookInput } from './webhook'

const BAD = ['a\r\nX-Evil: 1', 'a\u0000', 'a\u0001b', 'a\u007f', 'Ā', '日本', '💥']
const GOOD = ['plain', 'with space\tand tab', 'café é ÿ', '']

describe('header values', () => {
  const webhook = (value: string) => WebhookInput.safeParse({ name: 'H', url: 'https://example.com/h', headers: { 'X-A': value } })
  const provider = (value: string) => HttpConfig.safeParse({ url: 'https://gw.example.com/send', body: '{}', headers: { 'X-A': value } })
  const bearer = (token: string) => HttpConfig.safeParse({ url: 'https://gw.example.com/send', body: '{}', auth: { type: 'bearer', token } })

  it('are refused when configured if Node could not send them (so no send fails for it later)', () => {
    for (const value of BAD) {
      const w = webhook(value)
      expect(w.success, JSON.stringify(value)).toBe(false)
      expect(w.error?.issues[0]?.message).toContain('no HTTP header can carry')
      expect(w.error?.issues[0]?.path).toEqual(['headers', 'X-A'])
      expect(provider(value).success, JSON.stringify(value)).toBe(false)
      expect(bearer(`t${value}`).success, JSON.stringify(value)).toBe(false)
    }
  })

  it('keep tab, visible ASCII, space and Latin-1', () => {
    for (const value of GOOD) {
      expect(webhook(value).success).toBe(true)
      expect(provider(value).success).toBe(true)
    }
    expect(bearer('ya29.a0Af-token_value/+=').success).toBe(true)
  })
})
