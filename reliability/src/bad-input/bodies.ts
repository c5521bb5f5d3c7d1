/** Hostile request bodies: each a name and the bytes, plus the content type it claims. */
export interface HostileBody {
  name: string
  body: string | Buffer
  contentType?: string
}

const nest = (depth: number, open: string, close: string, inner = '1') => open.repeat(depth) + inner + close.repeat(depth)

export function hostileBodies(): HostileBody[] {
  const json = 'application/json'
  return [
    { name: 'empty', body: '', contentType: json },
    { name: 'whitespace', body: '  \n ', contentType: json },
    { name: 'not JSON', body: '{"a":', contentType: json },
    { name: 'null', body: 'null', contentType: json },
    { name: 'number', body: '42', contentType: json },
    { name: 'string', body: '"hello"', contentType: json },
    { name: 'array', body: '[1,2,3]', contentType: json },
    { name: 'deep arrays (5,000)', body: nest(5000, '[', ']'), contentType: json },
    { name: 'deep objects (3,000)', body: nest(3000, '{"a":', '}'), contentType: json },
    { name: 'deep arrays (100,000)', body: nest(100_000, '[', ']'), contentType: json },
    { name: 'deep inside a valid event', body: `{"userId":"u","event":"e","properties":${nest(200, '{"a":', '}')}}`, contentType: json },
    { name: 'huge string (30 KB)', body: JSON.stringify({ userId: 'u', event: 'x'.repeat(30_000) }), contentType: json },
    { name: 'huge string (2 MB)', body: JSON.stringify({ userId: 'u', event: 'e', name: 'x'.repeat(2_000_000) }), contentType: json },
    { name: 'many keys', body: JSON.stringify(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]))), contentType: json },
    {
      name: '__proto__ and constructor keys',
      body: '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"userId":"u","event":"e","properties":{"__proto__":{"polluted":"yes"}},"traits":{"__proto__":{"polluted":"yes"}},"name":"n","graph":{"__proto__":{"polluted":"yes"},"nodes":[],"edges":[]},"batch":[{"__proto__":{"polluted":"yes"},"type":"track","userId":"u","event":"e"}]}',
      contentType: json,
    },
    { name: 'prototype keys in paths', body: '{"userId":"__proto__","event":"constructor","properties":{"toString":"x","hasOwnProperty":1}}', contentType: json },
    { name: '1e400 timestamp', body: '{"userId":"u","event":"e","timestamp":1e400,"sentAt":-1e400}', contentType: json },
    { name: '-0 and odd numbers', body: '{"userId":"u","event":"e","timestamp":-0,"properties":{"a":1e308,"b":-1e-400,"c":123456789012345678901234567890}}', contentType: json },
    { name: 'NaN strings', body: '{"userId":"u","event":"e","timestamp":"NaN","sentAt":"Infinity"}', contentType: json },
    { name: 'dates out of range', body: '{"userId":"u","event":"e","timestamp":"+275760-09-13T00:00:00.001Z","sentAt":8640000000000001}', contentType: json },
    { name: 'wrong types', body: '{"userId":12,"event":["e"],"properties":"x","traits":7,"batch":{"0":1},"name":{},"graph":"g","url":5}', contentType: json },
    { name: 'batch of wrong items', body: '{"batch":[null,1,"x",[],{"type":"alias"},{"type":"track"}]}', contentType: json },
    { name: 'invalid UTF-8', body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]), contentType: json },
    { name: 'lone surrogate', body: '{"userId":"\\ud800","event":"\\udfff"}', contentType: json },
    { name: 'text/plain', body: '{"userId":"u","event":"e"}', contentType: 'text/plain' },
    { name: 'form encoded', body: 'userId=u&event=e', contentType: 'application/x-www-form-urlencoded' },
    { name: 'multipart', body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--', contentType: 'multipart/form-data; boundary=x' },
    { name: 'no content type', body: '{"userId":"u","event":"e"}' },
    { name: 'content type with odd charset', body: '{"userId":"u","event":"e"}', contentType: 'application/json; charset=utf-16' },
  ]
}
