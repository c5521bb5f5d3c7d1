import { createHmac, randomBytes } from 'node:crypto'

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): HMAC-SHA256 over
 * `<webhook-id>.<webhook-timestamp>.<body>` with the base64-decoded part of the `whsec_` secret.
 */
export function signPayload(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')
  return `v1,${signature}`
}

/** A fresh secret in the form WebhookInput accepts: `whsec_` + base64 of 32 random bytes. */
export function createSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}
