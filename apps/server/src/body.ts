import { promisify } from 'node:util'
import { gunzip, inflate, inflateRaw } from 'node:zlib'
import type { Context } from 'hono'
import type { z } from 'zod'
import { ApiError } from './errors'

const MAX_DEPTH = 64

/**
 * Reads the body as text, stopping as soon as it passes `limit` bytes so an oversize body costs
 * nothing. A gzip or deflate body is decompressed, and the limit applies to what it inflates to.
 */
export async function readBody(c: Context, limit: number, limitLabel: string): Promise<string> {
  const encoding = bodyEncoding(c)
  const raw = await readRawBody(c, limit, limitLabel)
  return (encoding === null ? raw : await decodeBody(raw, encoding, limit, limitLabel)).toString('utf8')
}

/** The body's bytes as sent (still compressed, if it is), at most `limit` of them. */
async function readRawBody(c: Context, limit: number, limitLabel: string): Promise<Buffer> {
  const declared = Number(c.req.header('content-length') ?? Number.NaN)
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(declared, limit, limitLabel)
  const stream = c.req.raw.body
  if (stream === null) return Buffer.alloc(0)
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
  return Buffer.concat(chunks)
}

export type BodyEncoding = 'gzip' | 'deflate'

/**
 * The request's `Content-Encoding`: null for none (the hot path, one header read), gzip or
 * deflate (RudderStack's Node SDK gzips every batch), else 415 `body.unsupported_encoding`.
 */
export function bodyEncoding(c: Context): BodyEncoding | null {
  const header = c.req.header('content-encoding')
  if (header === undefined) return null
  const name = header.trim().toLowerCase()
  if (name === '' || name === 'identity') return null
  if (name === 'gzip' || name === 'x-gzip') return 'gzip'
  if (name === 'deflate') return 'deflate'
  throw new ApiError('body.unsupported_encoding', `Content-Encoding “${header}” is not supported: send the body plain, gzip or deflate.`)
}

/**
 * Inflates a compressed body. zlib stops as soon as the output passes `limit`, so a compression
 * bomb costs at most `limit` bytes of memory and answers `payload.too_large`.
 */
export async function decodeBody(raw: Buffer, encoding: BodyEncoding, limit: number, limitLabel: string): Promise<Buffer> {
  const options = { maxOutputLength: limit }
  try {
    if (encoding === 'gzip') return await gunzipAsync(raw, options)
    // "deflate" is meant to be zlib-wrapped; some clients send the raw stream.
    return await inflateAsync(raw, options).catch((error: unknown) => (zlibCode(error) === 'Z_DATA_ERROR' ? inflateRawAsync(raw, options) : Promise.reject(error)))
  } catch (error) {
    if (zlibCode(error) === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit + 1, limit, `${limitLabel}, after decompression`)
    throw new ApiError('body.invalid_encoding', `The body says Content-Encoding: ${encoding} but does not decompress as ${encoding}: compress the whole body, or drop the header.`)
  }
}

function zlibCode(error: unknown): unknown {
  return error !== null && typeof error === 'object' && 'code' in error ? error.code : undefined
}

const gunzipAsync = promisify(gunzip)
const inflateAsync = promisify(inflate)
const inflateRawAsync = promisify(inflateRaw)

/**
 * The request body stream failed: the client closed the connection mid-body (Node's "aborted",
 * ECONNRESET). An expected event, not a bug: nobody is left to read the answer.
 */
export function clientAborted(cause: unknown): ApiError {
  return new ApiError('request.aborted', 'The client closed the connection before the whole body arrived; send it again.', {
    reason: cause instanceof Error ? cause.message : String(cause),
  })
}

function tooLarge(size: number, limit: number, label: string): ApiError {
  return new ApiError('payload.too_large', `The body is over ${Math.round(limit / 1024)} KB: the limit is ${label}. Split it into smaller requests.`, {
    limitBytes: limit,
    receivedAtLeastBytes: size,
  })
}

/** Parses JSON, refusing bad syntax and nesting deeper than anything a real client sends. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '') throw new ApiError('body.empty', 'The request body is empty: send a JSON object.')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new ApiError('body.invalid_json', `The body is not valid JSON (${error instanceof Error ? error.message : 'parse error'}).`)
  }
  if (depthExceeds(value, MAX_DEPTH)) throw new ApiError('body.too_deep', `The JSON nests deeper than ${MAX_DEPTH} levels: flatten it.`)
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

export function validate<S extends z.ZodType>(schema: S, value: unknown, what: 'body' | 'batch' | 'event' | 'query' = 'body'): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const details = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
  const first = details[0]
  const where = first && first.path !== '' ? ` at “${first.path}”` : ''
  throw new ApiError(`${what}.invalid`, `The ${what} is not valid${where}: ${first?.message ?? 'check its fields'}.`, details)
}

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S, limit = 1024 * 1024): Promise<z.output<S>> {
  return validate(schema, parseJsonText(await readBody(c, limit, `${Math.round(limit / 1024)} KB per request`)))
}
