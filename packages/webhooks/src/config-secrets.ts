import { createHash } from 'node:crypto'
import type { SecretBox } from '@switchyard/secrets'
import type { StoredConfig } from './webhook-store'

/**
 * What the API shows in place of a header or query value. A PUT that sends it back unchanged keeps
 * the stored value, as leaving a password out does.
 */
export const MASKED_VALUE = '********'

export type SealedValues = { ok: true; sealed: Record<string, string> } | { ok: false; name: string }

/**
 * Seals header or query values. A value equal to MASKED_VALUE keeps the stored one of that name
 * (matched case-insensitively for headers, exactly for query parameters); `ok: false` names the
 * first masked value with nothing stored to keep.
 */
export function sealValues(
  values: Record<string, string>,
  previous: Record<string, string>,
  secretBox: SecretBox,
  caseInsensitive: boolean,
): SealedValues {
  const key = (name: string) => (caseInsensitive ? name.toLowerCase() : name)
  const kept = new Map(Object.entries(previous).map(([name, sealed]) => [key(name), sealed]))
  const sealed: Record<string, string> = {}
  for (const [name, value] of Object.entries(values)) {
    if (value === MASKED_VALUE) {
      const old = kept.get(key(name))
      if (old === undefined) return { ok: false, name }
      sealed[name] = old
    } else {
      sealed[name] = secretBox.seal(value)
    }
  }
  return { ok: true, sealed }
}

/** Opens sealed values; throws when SECRET_KEY changed (callers turn that into a value). */
export function openValues(sealed: Record<string, string>, secretBox: SecretBox): Record<string, string> {
  return Object.fromEntries(Object.entries(sealed).map(([name, value]) => [name, secretBox.open(value)]))
}

/** The same names, every value masked: what views show. */
export function maskValues(sealed: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(sealed).map((name) => [name, MASKED_VALUE]))
}

/**
 * A digest of everything that decides what a request looks like and where it goes: URL, encoding,
 * auth, headers, query, timeout and signing secret, secrets opened. Two configs with the same
 * digest deliver alike, so a test of one holds for the other. Null when the secrets cannot be opened.
 */
export function deliveryFingerprint(config: StoredConfig, secretBox: SecretBox): string | null {
  try {
    const settings = {
      url: config.url,
      encoding: config.encoding,
      auth: config.auth === null ? null : [config.auth.username, secretBox.open(config.auth.passwordSealed)],
      headers: Object.entries(openValues(config.headersSealed, secretBox)).sort(),
      query: Object.entries(openValues(config.querySealed, secretBox)).sort(),
      timeoutMs: config.timeoutMs,
      signingSecret: config.signingSecretSealed === null ? null : secretBox.open(config.signingSecretSealed),
    }
    return createHash('sha256').update(JSON.stringify(settings)).digest('hex')
  } catch {
    return null
  }
}
