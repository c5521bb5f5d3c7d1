import { describe, expect, it } from 'vitest'
import { Condition } from '@switchyard/schema'
import { addChild, asRootGroup, changeOp, getAt, newLeaf, parseValueInput, readDraftCondition, removeAt, setGroupKind, toggleNot, updateAt } from './conditionModel'

const country = { path: 'user.traits.country', op: 'eq' as const, value: 'CA' }
const price = { path: 'event.properties.price', op: 'gt' as const, value: 100 }

describe('condition builder model', () => {
  it('edits a single rule inside a root group', () => {
    const root = asRootGroup(country)
    expect(root).toEqual({ all: [country] })
    const next = updateAt(root, [0], () => ({ ...country, value: 'US' }))
    expect(next).toEqual({ all: [{ ...country, value: 'US' }] })
  })

  it('adds rules and nested groups, switches all/any, removes', () => {
    let c = asRootGroup(null)
    c = addChild(c, [], country)
    c = addChild(c, [], { any: [price] })
    c = setGroupKind(c, [1], 'all')
    expect(c).toEqual({ all: [country, { all: [price] }] })
    c = setGroupKind(c, [], 'any')
    expect(c).toEqual({ any: [country, { all: [price] }] })
    c = removeAt(c, [1, 0])
    expect(c).toEqual({ any: [country, { all: [] }] })
    c = removeAt(c, [1])
    expect(c).toEqual({ any: [country] })
  })

  it('wraps and unwraps a part in not', () => {
    const c = toggleNot({ all: [country, price] }, [1])
    expect(c).toEqual({ all: [country, { not: price }] })
    expect(getAt(c, [1, 0])).toEqual(price)
    expect(toggleNot(c, [1])).toEqual({ all: [country, price] })
  })

  it('parses typed values: canonical numbers and booleans stay typed, codes stay strings', () => {
    expect(parseValueInput('42', 'gt')).toBe(42)
    expect(parseValueInput('0042', 'eq')).toBe('0042')
    expect(parseValueInput('true', 'eq')).toBe(true)
    expect(parseValueInput('CA, US, 3', 'in')).toEqual(['CA', 'US', 3])
    expect(parseValueInput('anything', 'exists')).toBeUndefined()
  })

  it('keeps the value when the operator changes, drops it for exists', () => {
    expect(changeOp({ ...country, value: 'CA' }, 'in')).toEqual({ ...country, op: 'in', value: ['CA'] })
    expect(changeOp(country, 'exists')).toEqual({ path: country.path, op: 'exists' })
  })

  it('produces conditions the schema accepts once the paths are filled in', () => {
    const c = addChild(toggleNot(asRootGroup(country), [0]), [], price)
    expect(Condition.safeParse(c).success).toBe(true)
  })

  it('reads half-typed drafts the schema refuses', () => {
    const draft = { all: [newLeaf(), { not: { path: 'event.x', op: 'bogus' } }, 42] }
    expect(Condition.safeParse(draft).success).toBe(false)
    expect(readDraftCondition(draft)).toEqual({ all: [newLeaf(), { not: { path: 'event.x', op: 'eq' } }] })
    expect(readDraftCondition('nope')).toBeNull()
  })
})
