import { gzipSync } from 'node:zlib'
import type { Json, Rng } from './fuzz'

/** What the fuzzer puts where a value, a key or a body goes: hostile values and the body mutations. */
export const HOSTILE_IDS = ['%', '%00', '..%2f..%2fetc%2fpasswd', '%2e%2e', '%E0%A4%A', '%ff%fe', 'x'.repeat(5 * 1024), '%E6%97%A5%E6%9C%AC', '%F0%9F%92%A5', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', '-1', '0', '-0', '1e308', 'NaN', 'Infinity', '99999999999999999999999', '%20', "'%20OR%201=1--", '%0d%0aX-Injected:%201', 'null', 'undefined', '.', '%5C..%5C']
export const HOSTILE_QUERY = ['', '-1', '-0', '0', '1e308', '-1e308', 'NaN', 'Infinity', '1.5', '0x10', '99999999999999999999999', 'abc', '%', '%00', '__proto__', 'x'.repeat(5 * 1024), '%E2%80%AE', '[]', '{}']
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

export const clone = (v: Json): Json => JSON.parse(JSON.stringify(v))
export const text = (v: string) => new TextEncoder().encode(v)
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

export const json = (v: Json) => ({ body: text(JSON.stringify(v)) })

export const VALID: Mutation = { name: 'valid', apply: (b) => json(b) }

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
