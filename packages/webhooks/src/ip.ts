/**
 * IP addresses as 32- or 128-bit integers, so that ranges are one comparison. Parsers return null
 * for anything that is not an address: callers decide whether that means "a host name" or "refuse".
 */
export interface IpAddress {
  family: 4 | 6
  value: bigint
}

const V4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/

/** Strict dotted-quad, as resolvers return it. */
export function parseIPv4(text: string): IpAddress | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  let value = 0n
  for (const part of parts) {
    if (!V4_PART.test(part)) return null
    value = (value << 8n) | BigInt(part)
  }
  return { family: 4, value }
}

/**
 * The WHATWG URL host parser's IPv4 forms: `127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`.
 * Returns `'invalid'` for a host that ends in a number but is not a valid address (the URL parser
 * would reject it; getaddrinfo might not), and null for an ordinary name.
 */
export function parseIPv4Whatwg(host: string): IpAddress | 'invalid' | null {
  const parts = host.split('.')
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop()
  const last = parts[parts.length - 1]
  if (last === undefined || !endsInNumber(last)) return null
  if (parts.length > 4) return 'invalid'
  const numbers: bigint[] = []
  for (const part of parts) {
    const n = parseWhatwgNumber(part)
    if (n === null) return 'invalid'
    numbers.push(n)
  }
  const lastNumber = numbers.pop()
  if (lastNumber === undefined) return 'invalid'
  if (numbers.some((n) => n > 255n)) return 'invalid'
  if (lastNumber >= 256n ** BigInt(5 - parts.length)) return 'invalid'
  let value = lastNumber
  numbers.forEach((n, i) => {
    value += n * 256n ** BigInt(3 - i)
  })
  return { family: 4, value }
}

function endsInNumber(part: string): boolean {
  if (part !== '' && /^\d+$/.test(part)) return true
  return /^0x[0-9a-f]*$/i.test(part)
}

function parseWhatwgNumber(part: string): bigint | null {
  if (part === '') return null
  if (/^0x/i.test(part)) {
    const hex = part.slice(2)
    if (hex === '') return 0n
    return /^[0-9a-f]+$/i.test(hex) ? BigInt(`0x${hex}`) : null
  }
  if (part.length > 1 && part.startsWith('0')) {
    const octal = part.slice(1)
    return /^[0-7]+$/.test(octal) ? BigInt(`0o${octal}`) : null
  }
  return /^\d+$/.test(part) ? BigInt(part) : null
}

/** RFC 4291 text forms, with `::` and a dotted IPv4 tail; brackets are allowed, zone ids are not. */
export function parseIPv6(input: string): IpAddress | null {
  const text = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input
  if (!text.includes(':') || text.includes('%')) return null
  let head = text
  let tailV4: IpAddress | null = null
  const lastColon = text.lastIndexOf(':')
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIPv4(text.slice(lastColon + 1))
    if (tailV4 === null) return null
    head = `${text.slice(0, lastColon + 1)}0:0`
  }
  const halves = head.split('::')
  if (halves.length > 2) return null
  const groups = (half: string | undefined): string[] | null => {
    if (half === undefined || half === '') return []
    const gs = half.split(':')
    return gs.every((g) => /^[0-9a-f]{1,4}$/i.test(g)) ? gs : null
  }
  const left = groups(halves[0])
  const right = halves.length === 2 ? groups(halves[1]) : []
  if (left === null || right === null) return null
  const missing = 8 - left.length - right.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null
  const all = [...left, ...Array.from({ length: missing }, () => '0'), ...right]
  let value = 0n
  for (const g of all) value = (value << 16n) | BigInt(`0x${g}`)
  if (tailV4 !== null) value = (value & ~0xffffffffn) | tailV4.value
  return { family: 6, value }
}

export function parseIp(text: string): IpAddress | null {
  return parseIPv4(text) ?? parseIPv6(text)
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => ((ip.value >> shift) & 255n).toString()).join('.')
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt((7 - i) * 16)) & 0xffffn))
  // Compress the longest run of zero groups (length >= 2), as RFC 5952 says.
  let bestStart = -1
  let bestLength = 0
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j += 1
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

export interface Cidr {
  family: 4 | 6
  base: bigint
  prefix: number
}

export function parseCidr(text: string): Cidr | null {
  const [addr, prefixText, ...rest] = text.trim().split('/')
  if (addr === undefined || rest.length > 0) return null
  const ip = parseIp(addr)
  if (ip === null) return null
  const bits = ip.family === 4 ? 32 : 128
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return null
  return { family: ip.family, base: ip.value & mask(bits, prefix), prefix }
}

export function inCidr(ip: IpAddress, cidr: Cidr): boolean {
  if (ip.family !== cidr.family) return false
  const bits = ip.family === 4 ? 32 : 128
  return (ip.value & mask(bits, cidr.prefix)) === cidr.base
}

function mask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n
  return prefix === 0 ? 0n : (all >> BigInt(bits - prefix)) << BigInt(bits - prefix)
}
