import { HOSTILE_IDS, HOSTILE_QUERY, MUTATIONS, VALID, clone, json, text } from './fuzz-mutations'

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

/** Each string in `v` (values and keys), with a NUL put into it, one at a time. */
export function withNulEach(v: Json): Json[] {
  const out: Json[] = []
  const walk = (node: Json, rebuild: (replacement: Json) => Json) => {
    if (typeof node === 'string') out.push(rebuild(`${node}\u0000`))
    else if (Array.isArray(node)) node.forEach((item, i) => walk(item, (r) => rebuild(node.map((x, j) => (j === i ? r : x)))))
    else if (node !== null && typeof node === 'object') {
      for (const [k, item] of Object.entries(node)) {
        walk(item, (r) => rebuild({ ...node, [k]: r }))
        out.push(rebuild(Object.fromEntries(Object.entries(node).map(([k2, x]) => [k2 === k ? `${k}\u0000` : k2, x]))))
      }
    }
  }
  walk(v, (r) => r)
  return out
}

/**
 * Deterministic cases for every route that takes a JSON body: its known and generated valid
 * bodies with a NUL put into one string or key at a time, sent with the right credentials to the
 * seeded ids. PostgreSQL refuses a NUL in text, so each must be refused with a 4xx before storage.
 */
export function nulCases(routes: Route[], ctx: FuzzContext, examples: Record<string, Json[]>): FuzzCase[] {
  const rng = prng(1)
  const cases: FuzzCase[] = []
  for (const route of routes.filter((r) => r.method === 'POST' || r.method === 'PUT')) {
    const key = `${route.method} ${route.path}`
    const path = route.path.replace(/\{([A-Za-z]+)\}/g, (_m, name: string) => encodeURIComponent((ctx.ids[`${route.path.split('/')[2]}.${name}`] ?? ctx.ids[name] ?? ['none'])[0] ?? 'none'))
    const auth: Record<string, string> = route.auth === 'admin' ? { authorization: `Bearer ${ctx.adminToken}` } : route.auth === 'writeKey' ? { authorization: `Bearer ${ctx.writeKey}` } : {}
    const bodies = [...(examples[key] ?? []), ...(route.body ? [sample(route.body, route.body, rng, ctx)] : [])]
    for (const body of bodies) {
      for (const bad of withNulEach(body)) cases.push({ method: route.method, path, headers: { ...auth, 'content-type': 'application/json' }, body: text(JSON.stringify(bad)), chunked: false, route: key, label: 'nul' })
    }
  }
  return cases
}
