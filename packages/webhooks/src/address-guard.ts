import { lookup } from 'node:dns/promises'
import { blockReason } from './blocked-ranges'
import { type Cidr, type IpAddress, formatIp, inCidr, parseCidr, parseIPv4Whatwg, parseIp } from './ip'

export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/** Every address a host name resolves to; injectable so tests never touch real DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>

export type GuardResult =
  | { ok: true; address: string; family: 4 | 6 }
  /** refused: a permanent, configuration problem. unresolved: DNS failed, worth a retry. */
  | { ok: false; kind: 'refused' | 'unresolved'; error: string }

export interface AddressGuard {
  /** Resolves a URL host and says which one address to connect to, or why none may be used. */
  check(hostname: string): Promise<GuardResult>
}

export const systemResolver: Resolver = async (hostname) => {
  const found = await lookup(hostname, { all: true, verbatim: true })
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }))
}

/** Parses ALLOW_PRIVATE_TARGETS-style CIDRs; throws on a bad entry because that is a startup misconfiguration. */
export function parseAllowList(cidrs: readonly string[]): Cidr[] {
  return cidrs
    .map((c) => c.trim())
    .filter((c) => c !== '')
    .map((c) => {
      const parsed = parseCidr(c)
      if (parsed === null) throw new Error(`ALLOW_PRIVATE_TARGETS: "${c}" is not an IP address or CIDR range.`)
      return parsed
    })
}

export function createAddressGuard(options: { allowPrivate?: readonly string[]; resolve?: Resolver } = {}): AddressGuard {
  const allow = parseAllowList(options.allowPrivate ?? [])
  const resolve = options.resolve ?? systemResolver

  const allowed = (ip: IpAddress, embedded: IpAddress | null): boolean =>
    allow.some((cidr) => inCidr(ip, cidr) || (embedded !== null && inCidr(embedded, cidr)))

  /** "address 10.0.0.1 is private", or null when the address may be used. */
  const refusal = (ip: IpAddress): string | null => {
    const reason = blockReason(ip)
    if (reason === null || allowed(ip, reason.embedded)) return null
    return `address ${formatIp(ip)} is ${reason.label}`
  }
  const hint = '; add it to ALLOW_PRIVATE_TARGETS to allow it'

  return {
    async check(rawHost) {
      const host = rawHost.startsWith('[') && rawHost.endsWith(']') ? rawHost.slice(1, -1) : rawHost
      const literal = parseIp(host) ?? parseIPv4Whatwg(host)
      if (literal === 'invalid') return { ok: false, kind: 'refused', error: `host ${host} is not a valid address` }
      if (literal !== null) {
        const error = refusal(literal)
        return error === null
          ? { ok: true, address: formatIp(literal), family: literal.family }
          : { ok: false, kind: 'refused', error: `${error}${hint}` }
      }
      let addresses: ResolvedAddress[]
      try {
        addresses = await resolve(host)
      } catch (err) {
        const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'lookup failed'
        return { ok: false, kind: 'unresolved', error: `could not resolve ${host} (${code})` }
      }
      const parsed = addresses.map((a) => parseIp(a.address))
      if (parsed.length === 0) return { ok: false, kind: 'unresolved', error: `could not resolve ${host} (no addresses)` }
      // Refuse if any address is blocked: a name pointing at both a public and a private address is
      // the shape of a rebinding attack, and we could not promise which one a retry would use.
      for (const ip of parsed) {
        if (ip === null) return { ok: false, kind: 'refused', error: `${host} resolved to something that is not an address` }
        const error = refusal(ip)
        if (error !== null) return { ok: false, kind: 'refused', error: `${host} resolves to ${error}${hint}` }
      }
      const first = parsed[0]
      if (first === undefined || first === null) return { ok: false, kind: 'unresolved', error: `could not resolve ${host}` }
      return { ok: true, address: formatIp(first), family: first.family }
    },
  }
}
