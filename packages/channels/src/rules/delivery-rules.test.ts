import { describe, expect, it } from 'vitest'
import { stableBucket, inControlGroup } from './control-group'
import { isConversion } from './conversion'
import { frequencyCap, frequencyCapWindowMs } from './frequency-cap'
import { targetingCapReached } from './targeting-cap'

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

describe('control group', () => {
  it('puts the same key in the same group every time', () => {
    expect(inControlGroup('run-1', 10, 'j1')).toBe(inControlGroup('run-1', 10, 'j1'))
    expect(stableBucket('run-1', 'j1')).toBe(stableBucket('run-1', 'j1'))
  })

  it('holds out about the given percentage of 10,000 ids', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `user-${i}`)
    const held = ids.filter((id) => inControlGroup(id, 10, 'journey-a')).length
    expect(held).toBeGreaterThan(900)
    expect(held).toBeLessThan(1100)
  })

  it('draws a different group per journey salt', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => `user-${i}`)
    const a = ids.filter((id) => inControlGroup(id, 20, 'a'))
    const b = new Set(ids.filter((id) => inControlGroup(id, 20, 'b')))
    expect(a.filter((id) => b.has(id)).length).toBeLessThan(a.length / 2)
  })

  it('holds out nobody at 0% or when unset, everybody at 100%', () => {
    expect(inControlGroup('x', 0)).toBe(false)
    expect(inControlGroup('x', undefined)).toBe(false)
    expect(inControlGroup('x', 100)).toBe(true)
  })
})

describe('targeting cap', () => {
  it('is reached at the cap and never without one', () => {
    expect(targetingCapReached(99, 100)).toBe(false)
    expect(targetingCapReached(100, 100)).toBe(true)
    expect(targetingCapReached(1_000_000, undefined)).toBe(false)
  })
})

describe('goal conversion', () => {
  const goal = {
    event: 'order_completed',
    where: { path: 'event.properties.total', op: 'gte' as const, value: 50 },
    within: { amount: 2, unit: 'days' as const },
  }
  const entered = NOW

  it('counts the goal event inside the window that matches the filter', () => {
    expect(isConversion({ name: 'order_completed', properties: { total: 80 }, timestamp: entered + HOUR }, goal, entered)).toBe(true)
  })

  it('does not count another event, a filtered-out one, one before entry or after the window', () => {
    expect(isConversion({ name: 'add_to_cart', properties: { total: 80 }, timestamp: entered + HOUR }, goal, entered)).toBe(false)
    expect(isConversion({ name: 'order_completed', properties: { total: 20 }, timestamp: entered + HOUR }, goal, entered)).toBe(false)
    expect(isConversion({ name: 'order_completed', properties: { total: 80 }, timestamp: entered - 1 }, goal, entered)).toBe(false)
    expect(isConversion({ name: 'order_completed', properties: { total: 80 }, timestamp: entered + 49 * HOUR }, goal, entered)).toBe(false)
  })

  it('can filter on the user', () => {
    const vip = { event: 'order_completed', where: { path: 'user.traits.tier', op: 'eq' as const, value: 'vip' }, within: { amount: 1, unit: 'days' as const } }
    const ev = { name: 'order_completed', timestamp: entered + HOUR }
    expect(isConversion(ev, vip, entered, { id: 'u', traits: { tier: 'vip' } })).toBe(true)
    expect(isConversion(ev, vip, entered, { id: 'u', traits: { tier: 'basic' } })).toBe(false)
  })
})
