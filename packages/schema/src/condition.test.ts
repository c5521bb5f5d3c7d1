import { describe, expect, it } from 'vitest'
import { Condition as ConditionSchema, evaluateCondition, MAX_CONDITION_DEPTH, readPath } from './condition'
import type { Condition, ConditionScope } from './condition'

const scope: ConditionScope = {
  event: { name: 'Charged', properties: { total: 120, currency: 'CAD', items: ['shoes', 'socks'], paidAt: '2025-03-01T10:00:00Z', code: '42' } },
  user: { id: 'u1', traits: { country: 'CA', age: 34, vip: true, email: null, tags: ['beta'] } },
}

const check = (c: Condition, s: ConditionScope = scope) => evaluateCondition(c, s)

describe('evaluateCondition', () => {
  it('compares equality, loosely between numbers and numeric text', () => {
    expect(check({ path: 'user.traits.country', op: 'eq', value: 'CA' })).toBe(true)
    expect(check({ path: 'user.traits.country', op: 'eq', value: 'US' })).toBe(false)
    expect(check({ path: 'event.properties.code', op: 'eq', value: 42 })).toBe(true)
    expect(check({ path: 'user.traits.vip', op: 'eq', value: true })).toBe(true)
    expect(check({ path: 'user.traits.country', op: 'neq', value: 'US' })).toBe(true)
    expect(check({ path: 'user.traits.country', op: 'neq', value: 'CA' })).toBe(false)
  })

  it('orders numbers, numeric text and ISO dates', () => {
    expect(check({ path: 'event.properties.total', op: 'gt', value: 100 })).toBe(true)
    expect(check({ path: 'event.properties.total', op: 'gte', value: 120 })).toBe(true)
    expect(check({ path: 'event.properties.total', op: 'lt', value: 120 })).toBe(false)
    expect(check({ path: 'event.properties.total', op: 'lte', value: '120' })).toBe(true)
    expect(check({ path: 'event.properties.paidAt', op: 'gt', value: '2025-02-28' })).toBe(true)
    expect(check({ path: 'event.properties.paidAt', op: 'lt', value: '2025-02-28' })).toBe(false)
  })

  it('is false when values cannot be ordered', () => {
    expect(check({ path: 'user.traits.vip', op: 'gt', value: 1 })).toBe(false)
    expect(check({ path: 'user.traits.country', op: 'lt', value: 5 })).toBe(false)
  })

  it('finds text in text and values in lists with contains', () => {
    expect(check({ path: 'user.traits.country', op: 'contains', value: 'C' })).toBe(true)
    expect(check({ path: 'event.properties.items', op: 'contains', value: 'socks' })).toBe(true)
    expect(check({ path: 'event.properties.items', op: 'contains', value: 'hats' })).toBe(false)
    expect(check({ path: 'event.properties.total', op: 'contains', value: 1 })).toBe(false)
  })

  it('checks membership with in, and is false without a list', () => {
    expect(check({ path: 'user.traits.country', op: 'in', value: ['US', 'CA'] })).toBe(true)
    expect(check({ path: 'user.traits.country', op: 'in', value: ['US'] })).toBe(false)
    expect(check({ path: 'user.traits.country', op: 'in', value: 'CA' })).toBe(false)
  })

  it('checks presence with exists, and absence with exists false', () => {
    expect(check({ path: 'user.traits.age', op: 'exists' })).toBe(true)
    expect(check({ path: 'user.traits.email', op: 'exists' })).toBe(false)
    expect(check({ path: 'user.traits.phone', op: 'exists' })).toBe(false)
    expect(check({ path: 'user.traits.phone', op: 'exists', value: false })).toBe(true)
  })

  it('reads missing paths as undefined', () => {
    expect(check({ path: 'user.traits.city', op: 'eq', value: 'Toronto' })).toBe(false)
    expect(check({ path: 'user.traits.city', op: 'neq', value: 'Toronto' })).toBe(true)
    expect(check({ path: 'user.traits.country.code', op: 'eq', value: 'CA' })).toBe(false)
    expect(check({ path: 'event.properties.total', op: 'gt', value: 1 }, { user: {} })).toBe(false)
  })

  it('never reads inherited properties such as __proto__ or constructor', () => {
    expect(readPath(scope, 'user.__proto__')).toBeUndefined()
    expect(readPath(scope, 'user.traits.constructor')).toBeUndefined()
    expect(readPath(scope, 'user.traits.toString')).toBeUndefined()
    expect(check({ path: 'user.__proto__', op: 'exists' })).toBe(false)
    expect(check({ path: 'user.traits.__proto__.polluted', op: 'exists' })).toBe(false)
    expect(check({ path: 'user.constructor.name', op: 'eq', value: 'Object' })).toBe(false)
  })

  it('combines rules with all, any and not', () => {
    const ca: Condition = { path: 'user.traits.country', op: 'eq', value: 'CA' }
    const us: Condition = { path: 'user.traits.country', op: 'eq', value: 'US' }
    expect(check({ all: [ca, { path: 'user.traits.age', op: 'gte', value: 18 }] })).toBe(true)
    expect(check({ all: [ca, us] })).toBe(false)
    expect(check({ any: [us, ca] })).toBe(true)
    expect(check({ any: [us] })).toBe(false)
    expect(check({ not: us })).toBe(true)
    expect(check({ all: [] })).toBe(true)
    expect(check({ any: [] })).toBe(false)
  })
})

describe('Condition schema', () => {
  const nest = (levels: number): unknown => {
    let c: unknown = { path: 'user.traits.a', op: 'eq', value: 1 }
    for (let i = 1; i < levels; i++) c = i % 2 === 0 ? { not: c } : { all: [c] }
    return c
  }

  it(`accepts ${MAX_CONDITION_DEPTH} levels of nesting`, () => {
    expect(ConditionSchema.safeParse(nest(MAX_CONDITION_DEPTH)).success).toBe(true)
  })

  it('refuses deeper nesting with an issue instead of overflowing the stack', () => {
    expect(ConditionSchema.safeParse(nest(MAX_CONDITION_DEPTH + 1)).success).toBe(false)
    const result = ConditionSchema.safeParse(nest(100_000))
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.message).toContain('nested')
  })
})
