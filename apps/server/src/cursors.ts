import { z } from 'zod'
import { ApiError } from './errors'

/** An opaque page cursor: base64url of a small JSON value that only the server reads. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/** A cursor this server gave out, or 400 `query.invalid_cursor`. */
export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string): z.output<S> {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    value = undefined
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new ApiError('query.invalid_cursor', 'The cursor is not one this server gave out: pass “nextCursor” from the previous answer unchanged, or leave it out for the first page.')
  return parsed.data
}
