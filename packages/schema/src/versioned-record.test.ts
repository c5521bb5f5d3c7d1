import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { RecordDecodeError, versionedRecord } from './versioned-record'

const WithX = z.looseObject({ x: z.number() })
const Point = z.object({ x: z.number(), y: z.number(), label: z.string() })

/** v1 stored `{ x, y }`; v2 added a label; v3 stores `{ x, y, label }` with `x` scaled by ten. */
const point = versionedRecord({
  name: 'point',
  version: 3,
  schema: Point,
  migrations: [
    { from: 2, up: (old) => ({ ...WithX.parse(old), x: WithX.parse(old).x * 10 }) },
    { from: 1, up: (old) => ({ ...WithX.parse(old), label: 'none' }) },
  ],
})

describe('versionedRecord', () => {
  it('round-trips a value at the current version inside a versioned envelope', () => {
    const text = point.encode({ x: 1, y: 2, label: 'a' })
    expect(JSON.parse(text)).toEqual({ $v: 3, value: { x: 1, y: 2, label: 'a' } })
    expect(point.decode(text)).toEqual({ x: 1, y: 2, label: 'a' })
  })

  it('reads a row without an envelope as version 1 and runs every migration in order', () => {
    expect(point.decode('{"x":1,"y":2}')).toEqual({ x: 10, y: 2, label: 'none' })
  })

  it('reads an object with other keys beside $v and value as a bare v1 row', () => {
    expect(point.decode('{"$v":7,"value":1,"x":1,"y":2}')).toEqual({ x: 10, y: 2, label: 'none' })
  })

  it('runs only the migrations after the stored version', () => {
    expect(point.decode('{"$v":2,"value":{"x":1,"y":2,"label":"b"}}')).toEqual({ x: 10, y: 2, label: 'b' })
  })

  it('refuses a version newer than it knows, naming the record and the version', () => {
    expect(() => point.decode('{"$v":4,"value":{}}')).toThrow(RecordDecodeError)
    expect(() => point.decode('{"$v":4,"value":{}}')).toThrow(/stored point v4: newer than this build reads \(v3\)/)
  })

  it('answers a clear error for a row that is not JSON or does not match the schema', () => {
    expect(() => point.decode('{"x":')).toThrow('cannot read stored point: not JSON')
    expect(() => point.decode('{"$v":3,"value":{"x":"1","y":2,"label":"a"}}')).toThrow(/stored point v3: invalid at x/)
  })

  it('uses the cheap check instead of the schema for rows at the current version only', () => {
    const cheap = versionedRecord({
      name: 'cheap',
      version: 2,
      schema: Point,
      migrations: [{ from: 1, up: (old) => old }],
      currentCheck: (v): v is z.infer<typeof Point> => typeof v === 'object' && v !== null && 'x' in v,
    })
    expect(cheap.decode('{"$v":2,"value":{"x":1}}')).toEqual({ x: 1 })
    expect(() => cheap.decode('{"$v":2,"value":{"y":1}}')).toThrow('cannot read stored cheap v2: does not have the shape of this version')
    expect(() => cheap.decode('{"x":1}')).toThrow(/stored cheap v1: invalid/)
  })

  it('refuses a definition whose migrations do not cover every version', () => {
    expect(() => versionedRecord({ name: 'gap', version: 3, schema: Point, migrations: [{ from: 1, up: (o) => o }] })).toThrow(/needs 2 migrations/)
    expect(() => versionedRecord({ name: 'skip', version: 2, schema: Point, migrations: [{ from: 2, up: (o) => o }] })).toThrow(/one step at a time/)
  })
})
