import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto'

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function publicKey(key: string): KeyObject | null {
  try {
    const trimmed = key.trim()
    if (trimmed.startsWith('-----BEGIN')) return createPublicKey(trimmed)
    return createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' })
  } catch {
    return null
  }
}

/**
 * SendGrid's signed event webhook: ECDSA P-256 / SHA-256 over `timestamp + rawBody`, the signature
 * base64 DER in `X-Twilio-Email-Event-Webhook-Signature`, the timestamp in
 * `X-Twilio-Email-Event-Webhook-Timestamp`, the key base64 SPKI DER as SendGrid shows it (PEM too).
 */
export function verifySendgridSignature(verificationKey: string, signature: string, timestamp: string, rawBody: string): boolean {
  const key = publicKey(verificationKey)
  if (key === null || signature === '' || timestamp === '') return false
  try {
    return verify('sha256', Buffer.from(timestamp + rawBody, 'utf8'), key, Buffer.from(signature, 'base64'))
  } catch {
    return false
  }
}

/** `X-Twilio-Signature`: base64 HMAC-SHA1 of the full URL followed by every POST param as key+value, keys sorted. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + (params[key] ?? ''), url)
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64')
}

export function verifyTwilioSignature(authToken: string, url: string, params: Record<string, string>, signature: string): boolean {
  return signature !== '' && safeEqual(twilioSignature(authToken, url, params), signature)
}

/** Our push-receipt signature: `sha256=<hex HMAC-SHA256 of the raw body>`, GitHub-style. */
export function pushSignature(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(Buffer.from(rawBody, 'utf8')).digest('hex')}`
}

export function verifyPushSignature(secret: string, rawBody: string, signature: string): boolean {
  return signature !== '' && safeEqual(pushSignature(secret, rawBody), signature.trim())
}
