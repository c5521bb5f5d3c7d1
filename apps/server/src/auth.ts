import { timingSafeEqual, createHash } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { ApiError } from './errors'

function same(a: string, b: string): boolean {
  // Hashing first makes the comparison constant-time whatever the lengths.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest())
}

/** `/api/*`: `Authorization: Bearer <ADMIN_TOKEN>` when a token is configured. */
export function adminAuth(token: string | null): MiddlewareHandler {
  return async (c, next) => {
    if (token !== null) {
      const header = c.req.header('authorization') ?? ''
      const m = /^Bearer\s+(.+)$/i.exec(header)
      if (!m) throw new ApiError('auth.missing_token', 'Send the admin token as “Authorization: Bearer <ADMIN_TOKEN>”.')
      if (!same(m[1] ?? '', token)) throw new ApiError('auth.invalid_token', 'The admin token is wrong.')
    }
    await next()
  }
}

/**
 * `/v1/*`: the write key as Basic user name (the Segment convention) or as a Bearer token. The
 * official Segment Node client sends it as `writeKey` in the JSON body instead; a request without
 * the header is let through to its handler, which must then call `checkBodyWriteKey`.
 */
export function writeKeyAuth(key: string | null): MiddlewareHandler {
  return async (c, next) => {
    if (key !== null) {
      const header = c.req.header('authorization') ?? ''
      let given: string | null = null
      const basic = /^Basic\s+(.+)$/i.exec(header)
      const bearer = /^Bearer\s+(.+)$/i.exec(header)
      if (basic) given = Buffer.from(basic[1] ?? '', 'base64').toString('utf8').split(':')[0] ?? ''
      else if (bearer) given = bearer[1] ?? ''
      if (given === null) needsBodyKey.add(c.req.raw)
      else if (!same(given, key)) throw new ApiError('auth.invalid_write_key', 'The write key is wrong.')
    }
    await next()
  }
}

const needsBodyKey = new WeakSet<Request>()

/** For requests that came without an Authorization header: the body's `writeKey` must match. */
export function checkBodyWriteKey(request: Request, body: unknown, key: string | null): void {
  if (key === null || !needsBodyKey.has(request)) return
  const given = body !== null && typeof body === 'object' && !Array.isArray(body) ? Reflect.get(body, 'writeKey') : undefined
  if (typeof given !== 'string') {
    throw new ApiError('auth.missing_write_key', 'Send the write key as the HTTP Basic user name, as “Authorization: Bearer <WRITE_KEY>”, or as “writeKey” in the JSON body.')
  }
  if (!same(given, key)) throw new ApiError('auth.invalid_write_key', 'The write key is wrong.')
}

/**
 * Provider receipts carry no `writeKey` field, so one that came without an Authorization header
 * passes only when `signed`: its provider has a receipt secret, and the service verifies the
 * signature against it. Message ids travel in outbound payloads; without this anyone could
 * report activity for them and move users through journeys.
 */
export function checkReceiptWriteKey(request: Request, key: string | null, signed: boolean): void {
  if (key === null || signed || !needsBodyKey.has(request)) return
  throw new ApiError(
    'auth.missing_write_key',
    'Receipts need the write key: put it in the callback URL as the HTTP Basic user name (https://<WRITE_KEY>@host/v1/receipts/...), send “Authorization: Bearer <WRITE_KEY>”, or give the provider a receipt secret so its receipts are signed.',
  )
}
