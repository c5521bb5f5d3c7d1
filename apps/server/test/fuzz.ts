import { gzipSync } from 'node:zlib'

/**
 * Request generator for the API fuzzer (`src/fuzz.test.ts`). It reads `/openapi.json`, makes a
 * valid-ish body from each route's request schema, then mutates bodies, paths, queries, headers
 * and auth. Everything comes from one seeded PRNG, so a seed names the same requests every run.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Schema = { [key: string]: unknown }

export interface FuzzCase {
  method: string
  path: string
  headers: Record<string, string>
  body?: Uint8Array
  /** Sent with `Transfer-Encoding: chunked` instead of a Content-Length, so limits apply while reading. */
  chunked: boolean
  /** Which route and mutation made it, for the report. */
  route: string
  label: string
}

/** What the fuzzer knows about the server it talks to. */
export interface FuzzContext {
  adminToken: string
  writeKey: string
  /** Real values for path parameters by name (`userId`, or `journeys.id` for `/api/journeys/{id}`), seeded before the run. */
  ids: Record<string, string[]>
  /** A local receiver, so generated URLs (webhooks, providers) never leave the machine. */
  receiverUrl: string
}

export interface Route {
  method: string
  /** OpenAPI template: `/api/journeys/{id}`. */
  path: string
  auth: 'admin' | 'writeKey' | 'none'
  body?: Schema
  query: { name: string; schema: Schema }[]
}

/** mulberry32: small, fast, and enough for picking mutations. */
export function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)]
      if (item === undefined) throw new Error('pick from an empty list')
      return item
    },
    chance: (p: number) => next() < p,
  }
}
export type Rng = ReturnType<typeof prng>

const isSchema = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v)
const schemaList = (v: unknown): Schema[] => (Array.isArray(v) ? v.filter(isSchema) : [])

/** The documented routes, with their auth, body schema and query parameters. */
export function routesOf(doc: unknown): Route[] {
  const paths = isSchema(doc) && isSchema(doc.paths) ? doc.paths : {}
  const routes: Route[] = []
  for (const [path, ops] of Object.entries(paths)) {
    if (!isSchema(ops)) continue
    for (const [method, op] of Object.entries(ops)) {
      if (!isSchema(op)) continue
      const security = JSON.stringify(op.security ?? [])
      const auth = security.includes('adminToken') ? 'admin' : security.includes('writeKey') ? 'writeKey' : 'none'
      const body = isSchema(op.requestBody) && isSchema(op.requestBody.content) && isSchema(op.requestBody.content['application/json']) ? op.requestBody.content['application/json'].schema : undefined
      const query = schemaList(op.parameters)
        .filter((p) => p.in === 'query' && typeof p.name === 'string')
        .map((p) => ({ name: String(p.name), schema: isSchema(p.schema) ? p.schema : {} }))
      routes.push({ method: method.toUpperCase(), path, auth, body: isSchema(body) ? body : undefined, query })
    }
  }
  return routes
}

// ---------------------------------------------------------------------------------------------
// Valid-ish values from a JSON Schema

/** A value that should satisfy `schema` (enums, consts, lengths, bounds, required keys). */
export function sample(schema: Schema, root: Schema, rng: Rng, ctx: FuzzContext, key = '', depth = 0): Json {
  const ref = schema.$ref
  if (typeof ref === 'string') {
    const target = resolveRef(ref, root)
    return depth > 6 || !target ? {} : sample(target, root, rng, ctx, key, depth + 1)
  }
  if ('const' in schema) return toJson(schema.const)
  if (Array.isArray(schema.enum)) return toJson(rng.pick(schema.enum))
  const options = [...schemaList(schema.anyOf), ...schemaList(schema.oneOf)]
  if (options.length > 0) return sample(rng.pick(options), root, rng, ctx, key, depth + 1)
  const allOf = schemaList(schema.allOf)
  if (allOf.length > 0) return sample(Object.assign({}, ...allOf), root, rng, ctx, key, depth + 1)
  const type = Array.isArray(schema.type) ? rng.pick(schema.type) : schema.type
  switch (type) {
    case 'object': {
      const out: { [key: string]: Json } = {}
      const props = isSchema(schema.properties) ? schema.properties : {}
      const required = Array.isArray(schema.required) ? schema.required.map(String) : []
      for (const [name, sub] of Object.entries(props)) {
        if (!isSchema(sub)) continue
        if (required.includes(name) || (depth < 4 && rng.chance(0.5))) out[name] = sample(sub, root, rng, ctx, name, depth + 1)
      }
      return out
    }
    case 'array': {
      const items = isSchema(schema.items) ? schema.items : {}
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0
      const n = depth > 4 ? min : min + rng.int(3)
      return Array.from({ length: n }, () => sample(items, root, rng, ctx, key, depth + 1))
    }
    case 'string':
      return sampleString(schema, rng, ctx, key)
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : 0
      const max = typeof schema.maximum === 'number' ? schema.maximum : min + 1000
      return min + rng.int(Math.max(1, Math.min(max - min, 1000)) + 1)
    }
    case 'boolean':
      return rng.chance(0.5)
    case 'null':
      return null
    default:
      // `{}`: anything goes; for the journey graph that is where the real examples come in.
      return rng.pick<Json>(['x', 1, true, null, {}, []])
  }
}

function sampleString(schema: Schema, rng: Rng, ctx: FuzzContext, key: string): string {
  const lower = key.toLowerCase()
  if (lower === 'url' || schema.format === 'uri') return `${ctx.receiverUrl}/fuzz`
  if (lower === 'host') return '127.0.0.1'
  if (schema.format === 'date-time' || lower === 'timestamp' || lower === 'sentat') return new Date(Date.UTC(2026, 0, 1 + rng.int(300))).toISOString()
  if (schema.format === 'email' || lower === 'to' || lower === 'from') return `fuzz${rng.int(100)}@example.com`
  if (lower === 'userid') return rng.pick(ctx.ids.userId ?? ['ann'])
  if (lower === 'messageid') return `fuzz-${rng.int(1_000_000)}`
  const min = typeof schema.minLength === 'number' ? schema.minLength : 1
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 24
  const length = Math.max(min, Math.min(max, min + rng.int(12)))
  return 'fuzz'.repeat(Math.ceil(length / 4)).slice(0, length) || 'f'
}

function resolveRef(ref: string, root: Schema): Schema | undefined {
  if (ref === '#') return root
  let at: unknown = root
  for (const part of ref.replace(/^#\//, '').split('/')) at = isSchema(at) ? at[part] : undefined
  return isSchema(at) ? at : undefined
}

function toJson(v: unknown): Json {
  return v === undefined ? null : JSON.parse(JSON.stringify(v))
}

// ---------------------------------------------------------------------------------------------
// Hostile values and mutations

const HOSTILE_IDS = ['%', '%00', '..%2f..%2fetc%2fpasswd', '%2e%2e', '%E0%A4%A', '%ff%fe', 'x'.repeat(5 * 1024), '%E6%97%A5%E6%9C%AC', '%F0%9F%92%A5', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', '-1', '0', '-0', '1e308', 'NaN', 'Infinity', '99999999999999999999999', '%20', "'%20OR%201=1--", '%0d%0aX-Injected:%201', 'null', 'undefined', '.', '%5C..%5C']
const HOSTILE_QUERY = ['', '-1', '-0', '0', '1e308', '-1e308', 'NaN', 'Infinity', '1.5', '0x10', '99999999999999999999999', 'abc', '%', '%00', '__proto__', 'x'.repeat(5 * 1024), '%E2%80%AE', '[]', '{}']
const HUGE_NUMBERS = ['1e308', '-1e308', '1e309', '-0', '5e-324', '1e-400', '9007199254740993', '-9007199254740993', '123456789012345678901234567890']
const HOSTILE_STRINGS: Json[] = ['NaN', '-0', 'Infinity', '', ' ', '\u0000', '\ud800', '\u202e', '{{ 7 | times: 7 }}', '{% for i in (1..1000000) %}x{% endfor %}', '${7*7}', '<script>', '../../etc/passwd', '__proto__', 'constructor']
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf']

/** An object with an own enumerable `key` (so `__proto__` is written out as data, not a prototype). */
function withKey(target: { [key: string]: Json }, key: string, value: Json): { [key: string]: Json } {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  return target
}

/** Paths to every value inside `v`, so a mutation can aim at a field rather than only the top. */
function places(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at)
  if (out.length > 400) return out
  if (Array.isArray(v)) v.forEach((item, i) => places(item, [...at, i], out))
  else if (v !== null && typeof v === 'object') for (const [k, item] of Object.entries(v)) places(item, [...at, k], out)
  return out
}

function setAt(root: Json, at: (string | number)[], value: Json | undefined): Json {
  if (at.length === 0) return value ?? null
  let parent: Json = root
  for (const part of at.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return root
    parent = Array.isArray(parent) ? (parent[Number(part)] ?? null) : (parent[String(part)] ?? null)
  }
  const last = at[at.length - 1]
  if (last === undefined || parent === null || typeof parent !== 'object') return root
  if (Array.isArray(parent)) {
    if (value === undefined) parent.splice(Number(last), 1)
    else parent[Number(last)] = value
  } else if (value === undefined) delete parent[String(last)]
  else withKey(parent, String(last), value)
  return root
}

const clone = (v: Json): Json => JSON.parse(JSON.stringify(v))
const text = (v: string) => new TextEncoder().encode(v)
const MARK = '"__FUZZ_RAW__"'

/** JSON text with `raw` spliced in at a random place (for values JSON.stringify cannot write). */
function withRaw(body: Json, rng: Rng, raw: string): string {
  const all = places(body)
  const target = rng.pick(all)
  return JSON.stringify(setAt(clone(body), target, '__FUZZ_RAW__')).replace(MARK, raw)
}

function deep(levels: number, kind: 'array' | 'object' | 'mixed'): string {
  let open = ''
  let close = ''
  for (let i = 0; i < levels; i++) {
    const obj = kind === 'object' || (kind === 'mixed' && i % 2 === 1)
    open += obj ? '{"a":' : '['
    close = (obj ? '}' : ']') + close
  }
  return `${open}1${close}`
}

export interface Mutation {
  name: string
  /** Returns the body bytes and any headers it needs (content type, encoding). */
  apply(body: Json, rng: Rng): { body?: Uint8Array; headers?: Record<string, string> }
}

const json = (v: Json) => ({ body: text(JSON.stringify(v)) })

const VALID: Mutation = { name: 'valid', apply: (b) => json(b) }

/**
 * Each mutation takes the route's valid-ish body and makes one kind of bad input from it. The
 * valid body is listed twice, so about one request in fifteen is meant to succeed.
 */
export const MUTATIONS: Mutation[] = [
  VALID,
  VALID,
  {
    name: 'drop-required',
    apply: (b, rng) => {
      const keys = b !== null && typeof b === 'object' && !Array.isArray(b) ? Object.keys(b) : []
      if (keys.length === 0) return json({})
      const copy = clone(b)
      return json(setAt(copy, [rng.pick(keys)], undefined))
    },
  },
  {
    name: 'wrong-type',
    apply: (b, rng) => {
      const copy = clone(b)
      const at = rng.pick(places(copy))
      return json(setAt(copy, at, rng.pick<Json>([1, -1, 0, true, false, null, 'str', [], {}, [[[]]], { x: { y: 1 } }, 1.5, ...HOSTILE_STRINGS])))
    },
  },
  {
    name: 'proto-keys',
    apply: (b, rng) => {
      const copy = clone(b)
      const objects = places(copy).filter((p) => {
        const v = p.reduce<Json>((o, k) => (o !== null && typeof o === 'object' ? ((Array.isArray(o) ? o[Number(k)] : o[String(k)]) ?? null) : null), copy)
        return v !== null && typeof v === 'object' && !Array.isArray(v)
      })
      const evil = withKey(withKey({}, '__proto__', { polluted: true, isAdmin: true }), 'constructor', { prototype: { polluted: true } })
      if (objects.length === 0) return json(withKey({}, rng.pick(PROTO_KEYS), evil))
      const at = rng.pick(objects)
      return json(setAt(copy, [...at, rng.pick(PROTO_KEYS)], rng.chance(0.5) ? evil : rng.pick<Json>(['x', 1, null, []])))
    },
  },
  { name: 'huge-string', apply: (b, rng) => json(setAt(clone(b), rng.pick(places(b)), 'A'.repeat(100 * 1024 + rng.int(200 * 1024)))) },
  { name: 'huge-number', apply: (b, rng) => ({ body: text(withRaw(b, rng, rng.pick(HUGE_NUMBERS))) }) },
  { name: 'hostile-string', apply: (b, rng) => json(setAt(clone(b), rng.pick(places(b)), rng.pick(HOSTILE_STRINGS))) },
  { name: 'deep-nesting', apply: (b, rng) => ({ body: text(withRaw(b, rng, deep(10_000, rng.pick(['array', 'object', 'mixed'] as const)))) }) },
  { name: 'deep-nesting-top', apply: (_b, rng) => ({ body: text(deep(10_000 + rng.int(5_000), rng.pick(['array', 'object', 'mixed'] as const))) }) },
  { name: 'nesting-under-limit', apply: (b, rng) => ({ body: text(withRaw(b, rng, deep(50 + rng.int(14), 'mixed'))) }) },
  { name: 'wide-array', apply: (b, rng) => json(setAt(clone(b), rng.pick(places(b)), Array.from({ length: 20_000 }, (_, i) => i))) },
  {
    name: 'wide-object',
    apply: (b, rng) => {
      const wide: { [key: string]: Json } = {}
      for (let i = 0; i < 5_000; i++) wide[`k${i}`] = i
      return json(setAt(clone(b), rng.pick(places(b)), wide))
    },
  },
  {
    name: 'duplicate-keys',
    apply: (b, rng) => {
      const s = JSON.stringify(b)
      const keys = [...s.matchAll(/"([^"\\]+)":/g)].map((m) => m[1] ?? '')
      const key = keys.length > 0 ? rng.pick(keys) : 'userId'
      const dup = rng.pick(['{"x":1}', '[]', 'null', '123', '"dup"'])
      return { body: text(s.startsWith('{') ? `{"${key}":${dup},${s.slice(1)}` : s) }
    },
  },
  { name: 'truncated-json', apply: (b, rng) => ({ body: text(JSON.stringify(b).slice(0, Math.max(1, rng.int(JSON.stringify(b).length)))) }) },
  {
    name: 'broken-json',
    apply: (b, rng) =>
      ({
        body: text(
          rng.pick([
            `${JSON.stringify(b)}garbage`,
            `${JSON.stringify(b)}}`,
            JSON.stringify(b).replace(/"/g, "'"),
            `\ufeff${JSON.stringify(b)}`,
            '{"a":1,}',
            '{a:1}',
            '[1,2',
            '{"a":"\\x"}',
            '{"a":"\\ud800"}',
            'NaN',
            'undefined',
            '{"a":01}',
            '\u0000',
          ]),
        ),
      }),
  },
  { name: 'invalid-utf8', apply: (b) => ({ body: new Uint8Array([...text(JSON.stringify(b).slice(0, -1)), 0x2c, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x3a, 0x31, 0x7d]) }) },
  { name: 'random-bytes', apply: (_b, rng) => ({ body: Uint8Array.from({ length: 1 + rng.int(4096) }, () => rng.int(256)) }) },
  { name: 'empty-body', apply: (_b, rng) => ({ body: text(rng.pick(['', ' ', '\n\n'])) }) },
  { name: 'no-body', apply: () => ({}) },
  { name: 'json-scalars', apply: (_b, rng) => ({ body: text(rng.pick(['null', '[]', '0', '""', 'true', '-0', '1e308', '[null]', '{}'])) }) },
  { name: 'gzip-valid', apply: (b) => ({ body: gzipSync(text(JSON.stringify(b))), headers: { 'content-encoding': 'gzip' } }) },
  { name: 'gzip-garbage', apply: (_b, rng) => ({ body: Uint8Array.from({ length: 1 + rng.int(2048) }, () => rng.int(256)), headers: { 'content-encoding': rng.pick(['gzip', 'deflate', 'x-gzip']) } }) },
  {
    name: 'gzip-truncated',
    apply: (b, rng) => {
      const z = gzipSync(text(JSON.stringify(b)))
      return { body: z.subarray(0, Math.max(1, rng.int(z.length))), headers: { 'content-encoding': 'gzip' } }
    },
  },
  {
    name: 'gzip-header-then-garbage',
    apply: (_b, rng) => ({ body: new Uint8Array([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, ...Array.from({ length: 64 }, () => rng.int(256))]), headers: { 'content-encoding': 'gzip' } }),
  },
  { name: 'gzip-bomb', apply: () => ({ body: gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)), headers: { 'content-encoding': 'gzip' } }) },
  { name: 'odd-encoding', apply: (b, rng) => ({ body: text(JSON.stringify(b)), headers: { 'content-encoding': rng.pick(['br', 'gzip, gzip', 'compress', 'identity', ' GZIP ', 'zstd', '*']) } }) },
  {
    name: 'form-encoded',
    apply: (b, rng) => {
      const fields = b !== null && typeof b === 'object' && !Array.isArray(b) ? Object.entries(b) : []
      const form = new URLSearchParams(fields.map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
      if (rng.chance(0.5)) form.append(rng.pick([...PROTO_KEYS, ...fields.map(([k]) => k)]), rng.pick(['x', '', 'A'.repeat(64 * 1024)]))
      return { body: text(rng.chance(0.2) ? `${form}&%=%E0%A4%A&a=%` : form.toString()), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
    },
  },
  {
    name: 'mime-report',
    apply: (b, rng) => {
      const id = b !== null && typeof b === 'object' && !Array.isArray(b) && typeof b.messageId === 'string' ? b.messageId : 'nope'
      const boundary = rng.pick(['b', 'x'.repeat(5000), '', '--', '(.*)+$'])
      const part = (type: string, body: string) => `--${boundary}\r\nContent-Type: ${type}\r\n\r\n${body}\r\n`
      const status = `Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; ann@example.com\r\nAction: ${rng.pick(['failed', 'delivered', 'delayed', 'FAILED', '', 'x'.repeat(10_000)])}\r\nStatus: 5.1.1\r\n`
      const parts = [part('text/plain', 'Your message bounced.'), part('message/delivery-status', status), part('text/rfc822-headers', `X-Switchyard-Message-Id: ${id}\r\nMessage-ID: <${id}@example>`)]
      const many = rng.chance(0.2) ? Array.from({ length: 5_000 }, () => part('message/delivery-status', status)).join('') : ''
      const mime = `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"\r\n\r\n${parts.join('')}${many}--${boundary}--\r\n`
      return { body: text(rng.chance(0.2) ? mime.slice(0, rng.int(mime.length)) : mime), headers: { 'content-type': 'message/rfc822' } }
    },
  },
  { name: 'over-limit', apply: () => ({ body: text(JSON.stringify({ pad: 'B'.repeat(2 * 1024 * 1024) })) }) },
]

/** Content types to send: right, wrong, missing, and ones that make some parsers do more. */
const CONTENT_TYPES: (string | null)[] = [
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  null,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/json; charset=utf-16',
  'application/xml',
  '*/*',
  'application/json; boundary=' + 'x'.repeat(2000),
]

/** Mostly right credentials, so most requests reach the handlers; some missing or wrong. */
function authHeaders(route: Route, ctx: FuzzContext, rng: Rng): { headers: Record<string, string>; label: string } {
  const roll = rng.next()
  if (roll < 0.85) {
    if (route.auth === 'admin') return { headers: { authorization: `Bearer ${ctx.adminToken}` }, label: 'auth' }
    if (route.auth === 'writeKey') {
      return rng.chance(0.5)
        ? { headers: { authorization: `Basic ${Buffer.from(`${ctx.writeKey}:`).toString('base64')}` }, label: 'auth-basic' }
        : { headers: { authorization: `Bearer ${ctx.writeKey}` }, label: 'auth-bearer' }
    }
    return { headers: {}, label: 'auth' }
  }
  const wrong: Record<string, string>[] = [
    {},
    { authorization: 'Bearer wrong' },
    { authorization: `Bearer ${route.auth === 'admin' ? ctx.writeKey : ctx.adminToken}` },
    { authorization: 'Basic !!!not-base64' },
    { authorization: `Basic ${Buffer.from(':').toString('base64')}` },
    { authorization: 'Bearer ' },
    { authorization: `Bearer ${'t'.repeat(8 * 1024)}` },
    { authorization: 'Digest username="x"' },
    { authorization: `bearer ${ctx.adminToken}` },
  ]
  return { headers: rng.pick(wrong), label: 'auth-wrong' }
}

function pathFor(route: Route, ctx: FuzzContext, rng: Rng): { path: string; hostile: boolean } {
  let hostile = false
  const path = route.path.replace(/\{([A-Za-z]+)\}/g, (_m, name: string) => {
    // `webhooks.id` before `id`: a journey route gets a journey's id.
    const real = ctx.ids[`${route.path.split('/')[2]}.${name}`] ?? ctx.ids[name] ?? []
    if (real.length > 0 && rng.chance(0.6)) return encodeURIComponent(rng.pick(real))
    hostile = true
    return rng.chance(0.85) ? rng.pick(HOSTILE_IDS) : encodeURIComponent(rng.pick(['日本語', '💥', 'é', 'a b', 'a/b', 'a?b', 'a#b', '\u202e']))
  })
  return { path, hostile }
}

function queryFor(route: Route, root: Schema, ctx: FuzzContext, rng: Rng): string {
  if (route.query.length === 0 || rng.chance(0.3)) return rng.chance(0.05) ? `?${rng.pick(HOSTILE_QUERY)}=${rng.pick(HOSTILE_QUERY)}` : ''
  const parts: string[] = []
  for (const q of route.query) {
    if (rng.chance(0.4)) continue
    const value = rng.chance(0.5) ? String(sample(q.schema, root, rng, ctx, q.name)) : rng.pick(HOSTILE_QUERY)
    parts.push(`${encodeURIComponent(q.name)}=${value.startsWith('%') ? value : encodeURIComponent(value)}`)
    if (rng.chance(0.1)) parts.push(`${encodeURIComponent(q.name)}=${rng.pick(HOSTILE_QUERY)}`)
  }
  return parts.length > 0 ? `?${parts.join('&')}` : ''
}

/**
 * What the schemas cannot say: realistic bodies by route (`POST /api/journeys`), and the mutation
 * that encodes a route's body as its sender does (`form-encoded` for Twilio's callbacks).
 */
export interface KnownBodies {
  examples: Record<string, Json[]>
  encodings: Record<string, string>
}

/** The valid-ish body for a route: seeded examples where the schema says little (the journey graph). */
function baseBody(route: Route, ctx: FuzzContext, rng: Rng, examples: Record<string, Json[]>): Json {
  const known = examples[`${route.method} ${route.path}`]
  if (known && known.length > 0 && rng.chance(0.7)) return clone(rng.pick(known))
  return route.body ? sample(route.body, route.body, rng, ctx) : {}
}

/**
 * `count` requests over every route (round robin, so each gets its share), each with one body
 * mutation, a content type, credentials, and sometimes a hostile path, query or method.
 */
export function generateCases(routes: Route[], ctx: FuzzContext, seed: number, count: number, known: KnownBodies = { examples: {}, encodings: {} }): FuzzCase[] {
  const rng = prng(seed)
  const cases: FuzzCase[] = []
  for (let i = 0; i < count; i++) {
    const route = routes[i % routes.length]
    if (!route) break
    const key = `${route.method} ${route.path}`
    const takesBody = route.method === 'POST' || route.method === 'PUT'
    const encoding = MUTATIONS.find((m) => m.name === known.encodings[key])
    const mutation = encoding && rng.chance(0.5) ? encoding : takesBody || rng.chance(0.3) ? rng.pick(MUTATIONS) : VALID
    const made = mutation.apply(baseBody(route, ctx, rng, known.examples), rng)
    const auth = authHeaders(route, ctx, rng)
    const { path, hostile } = pathFor(route, ctx, rng)
    const query = queryFor(route, route.body ?? {}, ctx, rng)
    const contentType = rng.pick(CONTENT_TYPES)
    const headers: Record<string, string> = { ...auth.headers, ...(contentType === null ? {} : { 'content-type': contentType }), ...made.headers }
    const method = rng.chance(0.02) ? rng.pick(['PATCH', 'OPTIONS', 'HEAD', 'PUT', 'DELETE']) : route.method
    const body = method === 'GET' || method === 'HEAD' ? undefined : made.body
    const chunked = body !== undefined && rng.chance(0.1)
    const label = [mutation.name, auth.label, hostile ? 'hostile-path' : '', contentType ?? 'no-content-type', chunked ? 'chunked' : ''].filter(Boolean).join(' ')
    cases.push({ method, path: path + query, headers, body, chunked, route: `${route.method} ${route.path}`, label })
  }
  // Deletes go last, so the seeded ids stay alive for most of the run.
  return [...cases.filter((c) => c.method !== 'DELETE'), ...cases.filter((c) => c.method === 'DELETE')]
}

/** A short printable excerpt of a body, for reproducing a failure. */
export function excerpt(body: Uint8Array | undefined, max = 300): string {
  if (!body) return '(none)'
  const s = Buffer.from(body).toString('utf8')
  return s.length <= max ? JSON.stringify(s) : `${JSON.stringify(s.slice(0, max))}… (${body.byteLength} bytes)`
}
