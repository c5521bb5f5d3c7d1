import { CHANNEL_ERROR_CODES, ENGINE_ERROR_CODES, FAILURE_CODES, type FailureCode, WEBHOOK_ERROR_CODES } from '@switchyard/schema'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { FAILURE_STATUS } from './failure-status'

describe('the failure status table', () => {
  it('has a row for every failure code and for nothing else', () => {
    // `satisfies Record<FailureCode, ...>` makes a missing row a compile error; a code listed twice fails here.
    expectTypeOf<Exclude<FailureCode, keyof typeof FAILURE_STATUS>>().toEqualTypeOf<never>()
    expect(Object.keys(FAILURE_STATUS).sort()).toEqual([...FAILURE_CODES].sort())
  })

  it('answers each code with its status', () => {
    for (const code of FAILURE_CODES) expect(FAILURE_STATUS[code], code).toBeGreaterThanOrEqual(400)
    expect(FAILURE_STATUS).toMatchObject({
      'journey.not_found': 404,
      'receipt.signature': 401,
      'auth.missing_write_key': 401,
      'delivery.not_dead': 409,
      'journey.has_active_users': 409,
      'body.unsupported_encoding': 415,
      'journey.invalid': 422,
      'payload.too_large': 400,
      internal: 500,
    })
  })

  it('gives every not_found code 404', () => {
    for (const code of FAILURE_CODES) if (code.endsWith('.not_found')) expect(FAILURE_STATUS[code], code).toBe(404)
  })

  it('keeps the statuses the services answered before the table', () => {
    // The rule the server guessed by from a code's suffix; clients saw these statuses.
    const guessed = (code: string) => (code.endsWith('not_found') ? 404 : code.endsWith('.signature') ? 401 : code === 'delivery.not_dead' ? 409 : 400)
    for (const code of [...WEBHOOK_ERROR_CODES, ...CHANNEL_ERROR_CODES]) expect(FAILURE_STATUS[code], code).toBe(guessed(code))
    // The engine's refusals were answered 409 by the journey routes.
    for (const code of ENGINE_ERROR_CODES) expect(FAILURE_STATUS[code], code).toBe(409)
  })
})
