import { type Cidr, type IpAddress, formatIp, inCidr, parseCidr } from './ip'

/**
 * Ranges a webhook may not reach unless ALLOW_PRIVATE_TARGETS opts them in: everything that is not
 * the public internet (IANA special-purpose registries), plus cloud metadata endpoints. The first
 * match names the reason, so specific entries (metadata) come before the ranges holding them.
 */
const V4: readonly (readonly [string, string])[] = [
  ['169.254.169.254/32', 'a cloud metadata address'],
  ['168.63.129.16/32', 'a cloud metadata address'],
  ['100.100.100.200/32', 'a cloud metadata address'],
  ['192.0.0.192/32', 'a cloud metadata address'],
  ['0.0.0.0/8', 'in "this network" (0.0.0.0/8)'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared address space (CGNAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved for IETF protocol assignments'],
  ['192.0.2.0/24', 'reserved for documentation'],
  ['192.31.196.0/24', 'reserved (AS112)'],
  ['192.52.193.0/24', 'reserved (AMT)'],
  ['192.88.99.0/24', 'reserved (6to4 relay anycast)'],
  ['192.168.0.0/16', 'private'],
  ['192.175.48.0/24', 'reserved (AS112)'],
  ['198.18.0.0/15', 'reserved for benchmarking'],
  ['198.51.100.0/24', 'reserved for documentation'],
  ['203.0.113.0/24', 'reserved for documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
]

const V6: readonly (readonly [string, string])[] = [
  ['fd00:ec2::254/128', 'a cloud metadata address'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'local-use NAT64'],
  ['100::/64', 'reserved (discard-only)'],
  ['2001::/32', 'a Teredo tunnel address'],
  ['2001::/23', 'reserved for IETF protocol assignments'],
  ['2001:db8::/32', 'reserved for documentation'],
  ['3fff::/20', 'reserved for documentation'],
  ['5f00::/16', 'reserved (SRv6)'],
  ['fc00::/7', 'unique-local (private)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (private)'],
  ['ff00::/8', 'multicast'],
]

function compile(list: readonly (readonly [string, string])[]): { cidr: Cidr; label: string }[] {
  return list.map(([text, label]) => {
    const cidr = parseCidr(text)
    if (cidr === null) throw new Error(`Bad built-in range ${text}`)
    return { cidr, label }
  })
}

const V4_RANGES = compile(V4)
const V6_RANGES = compile(V6)

const EMBEDS_V4: readonly { cidr: Cidr; name: string; extract: (v: bigint) => bigint }[] = [
  { cidr: must('::ffff:0:0/96'), name: 'IPv4-mapped', extract: (v) => v & 0xffffffffn },
  { cidr: must('::/96'), name: 'IPv4-compatible', extract: (v) => v & 0xffffffffn },
  { cidr: must('64:ff9b::/96'), name: 'NAT64', extract: (v) => v & 0xffffffffn },
  { cidr: must('2002::/16'), name: '6to4', extract: (v) => (v >> 80n) & 0xffffffffn },
]
const GLOBAL_UNICAST = must('2000::/3')

function must(text: string): Cidr {
  const cidr = parseCidr(text)
  if (cidr === null) throw new Error(`Bad built-in range ${text}`)
  return cidr
}

export interface BlockReason {
  /** Why, as a phrase after "is": "private", "loopback", ... */
  label: string
  /** The IPv4 address an IPv6 form carries, when that is what was blocked. */
  embedded: IpAddress | null
}

/** Why an address may not be reached, or null for a public address. */
export function blockReason(ip: IpAddress): BlockReason | null {
  if (ip.family === 4) {
    const hit = V4_RANGES.find((r) => inCidr(ip, r.cidr))
    return hit === undefined ? null : { label: hit.label, embedded: null }
  }
  // ::, ::1 first: they sit inside the IPv4-compatible range.
  const direct = V6_RANGES.find((r) => r.cidr.prefix === 128 && inCidr(ip, r.cidr))
  if (direct !== undefined) return { label: direct.label, embedded: null }
  for (const embed of EMBEDS_V4) {
    if (!inCidr(ip, embed.cidr)) continue
    const v4: IpAddress = { family: 4, value: embed.extract(ip.value) }
    const inner = blockReason(v4)
    if (inner !== null) return { label: `${inner.label} (${embed.name} ${formatIp(v4)})`, embedded: v4 }
    return null
  }
  const hit = V6_RANGES.find((r) => inCidr(ip, r.cidr))
  if (hit !== undefined) return { label: hit.label, embedded: null }
  if (!inCidr(ip, GLOBAL_UNICAST)) return { label: 'reserved', embedded: null }
  return null
}
