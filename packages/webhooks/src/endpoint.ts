import type { SecretBox } from '@switchyard/secrets'
import { openValues } from './config-secrets'
import type { Endpoint } from './delivery-request'
import type { WebhookRecord } from './webhook-store'

/** Opens a stored webhook's sealed secrets for one send. Fails as a value when SECRET_KEY changed. */
export function openEndpoint(record: WebhookRecord, secretBox: SecretBox): { ok: true; endpoint: Endpoint } | { ok: false; error: string } {
  const { config } = record
  try {
    return {
      ok: true,
      endpoint: {
        id: record.id,
        name: record.name,
        url: config.url,
        encoding: config.encoding,
        basicAuth: config.auth === null ? null : { username: config.auth.username, password: secretBox.open(config.auth.passwordSealed) },
        headers: openValues(config.headersSealed, secretBox),
        query: openValues(config.querySealed, secretBox),
        timeoutMs: config.timeoutMs,
        signingSecret: config.signingSecretSealed === null ? null : secretBox.open(config.signingSecretSealed),
      },
    }
  } catch {
    return { ok: false, error: 'the stored password, signing secret, header or query values cannot be opened (was SECRET_KEY changed?)' }
  }
}
