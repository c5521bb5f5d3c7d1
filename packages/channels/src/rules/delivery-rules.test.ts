import { describe, expect, it } from 'vitest'
import { frequencyCap, frequencyCapWindowMs } from './frequency-cap'

const NOW = Date.parse('2026-01-05T12:00:00Z')
const HOUR = 3_600_000

describe('frequency cap', () => {
  const caps = [
    { channel: 'email' as const, max: 2, per: { amount: 1, unit: 'days' as const } },
    { channel: 'email' as const, max: 5, per: { amount: 1, unit: 'weeks' as const } },
  ]

  it('allows a message while every rule has room', () => {
    expect(frequencyCap([NOW - 30 * HOUR], caps, NOW, 'email')).toEqual({ action: 'send' })
  })

  it('skips with the rule and a reason once a window is full', () => {
    const d = frequencyCap([NOW - HOUR, NOW - 2 * HOUR], caps, NOW, 'email')
    expect(d).toMatchObject({ action: 'skip', reason: 'frequency cap: at most 2 email messages per 1 day (2 sent)' })
  })

  it('lets messages older than the window fall out of it', () => {
    expect(frequencyCap([NOW - 24 * HOUR, NOW - 25 * HOUR], caps, NOW, 'email')).toEqual({ action: 'send' })
    const week = [1, 2, 3, 4, 5].map((d) => NOW - d * 26 * HOUR)
    expect(frequencyCap(week, caps, NOW, 'email')).toMatchObject({ action: 'skip', rule: caps[1] })
  })

  it('ignores rules of other channels', () => {
    expect(frequencyCap([NOW - HOUR, NOW - 2 * HOUR], caps, NOW, 'sms')).toEqual({ action: 'send' })
  })

  it('says how far back sent messages matter', () => {
    expect(frequencyCapWindowMs(caps)).toBe(7 * 24 * HOUR)
  })
})

