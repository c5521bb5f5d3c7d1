import type { Context } from 'hono'
import type { z } from 'zod'
import { ApiError } from './errors'

const MAX_DEPTH = 64

/** Reads the raw body, stopping as soon as it passes `limit` bytes so an oversize body costs nothing. */
export async function readBody(c: Context, limit: number, limitLabel: string): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? Number.NaN)
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(declared, limit, limitLabel)
  const stream = c.req.raw.body
  if (stream === null) return ''
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read().catch((error: unknown) => {
      throw clientAborted(error)
    })
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge(size, limit, limitLabel)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * The request body stream failed: the client closed the connection mid-body (Node's "aborted",
 * ECONNRESET). An expected event, not a bug: nobody is left to read the answer.
 */
export function clientAborted(cause: unknown): ApiError {
  return new ApiError(400, 'request.aborted', 'The client closed the connection before the whole body arrived; send it again.', {
    reason: cause instanceof Error ? cause.message : String(cause),
  })
}

function tooLarge(size: number, limit: number, label: string): ApiError {
  return new ApiError(400, 'payload.too_large', `The body is over ${Math.round(limit / 1024)} KB: the limit is ${label}. Split it into smaller requests.`, {
    limitBytes: limit,
    receivedAtLeastBytes: size,
  })
}

/** Parses JSON, refusing bad syntax and nesting deeper than anything a real client sends. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '') throw new ApiError(400, 'body.empty', 'The request body is empty: send a JSON object.')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new ApiError(400, 'body.invalid_json', `The body is not valid JSON (${error instanceof Error ? error.message : 'parse error'}).`)
  }
  if (depthExceeds(value, MAX_DEPTH)) throw new ApiError(400, 'body.too_deep', `The JSON nests deeper than ${MAX_DEPTH} levels: flatten it.`)
  return value
}

/** Iterative, so a hostile body cannot overflow the stack. */
function depthExceeds(root: unknown, max: number): boolean {
  const stack: { v: unknown; d: number }[] = [{ v: root, d: 1 }]
  while (stack.length > 0) {
    const item = stack.pop()
    if (!item || item.v === null || typeof item.v !== 'object') continue
    if (item.d > max) return true
    for (const child of Object.values(item.v)) if (child !== null && typeof child === 'object') stack.push({ v: child, d: item.d + 1 })
  }
  return false
}

export function validate<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const details = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
  const first = details[0]
  const where = first && first.path !== '' ? ` at “${first.path}”` : ''
  throw new ApiError(400, `${what}.invalid`, `The ${what} is not valid${where}: ${first?.message ?? 'check its fields'}.`, details)
}

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S, limit = 1024 * 1024): Promise<z.output<S>> {
  return validate(schema, parseJsonText(await readBody(c, limit, `${Math.round(limit / 1024)} KB per request`)))
}
