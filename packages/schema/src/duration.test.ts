import { expect, it } from 'vitest'
import { durationMs, isDurationInRange } from './duration'

it('gives whole milliseconds, since due times are stored as integers', () => {
  expect(durationMs({ amount: 1.0001, unit: 'seconds' })).toBe(1000)
  expect(durationMs({ amount: 1.7, unit: 'minutes' })).toBe(102_000)
  expect(durationMs({ amount: 0.0000001, unit: 'weeks' })).toBe(60)
  expect(Number.isInteger(durationMs({ amount: 1 / 3, unit: 'hours' }))).toBe(true)
  expect(isDurationInRange({ amount: 0.9995, unit: 'seconds' })).toBe(true)
  expect(isDurationInRange({ amount: 0.999, unit: 'seconds' })).toBe(false)
})
