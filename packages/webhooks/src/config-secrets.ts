import { createHash } from 'node:crypto'
import { fail, ok, type Failure, type Result, type WebhookErrorCode, type WebhookInput } from '@switchyard/schema'
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

const keptNothing = (field: 'headers' | 'query', name: string): Failure<WebhookErrorCode> => {
  const message = `${field === 'headers' ? 'The header' : 'The query parameter'} ${name} has no stored value to keep; give its value.`
  return fail('webhook.invalid', message, [{ path: `${field}.${name}`, message }])
}

/** The stored config from validated input, sealing secrets; `previous` supplies kept secrets on update. */
export function storedConfig(input: WebhookInput, previous: StoredConfig | null, secretBox: SecretBox): Result<StoredConfig, WebhookErrorCode> {
  let auth: StoredConfig['auth'] = null
  if (input.auth !== undefined) {
    const kept = previous?.auth?.passwordSealed
    const passwordSealed = input.auth.password !== undefined ? secretBox.seal(input.auth.password) : kept
    if (passwordSealed === undefined) {
      return fail('webhook.invalid', 'Give a password.', [{ path: 'auth.password', message: 'Give a password.' }])
    }
    auth = { username: input.auth.username, passwordSealed }
  }
  const headers = sealValues(input.headers, previous?.headersSealed ?? {}, secretBox, true)
  if (!headers.ok) return keptNothing('headers', headers.name)
  const query = sealValues(input.query, previous?.querySealed ?? {}, secretBox, false)
  if (!query.ok) return keptNothing('query', query.name)
  const signingSecretSealed =
    input.signingSecret === undefined
      ? (previous?.signingSecretSealed ?? null)
      : input.signingSecret === null
        ? null
        : secretBox.seal(input.signingSecret)
  return ok({
    v: 2,
    url: input.url,
    encoding: input.encoding,
    auth,
    headersSealed: headers.sealed,
    querySealed: query.sealed,
    timeoutMs: input.timeoutMs,
    retry: input.retry,
    signingSecretSealed,
    events: [...new Set(input.events)],
  })
}
