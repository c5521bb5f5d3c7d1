import type { Channel } from '@switchyard/schema'
import { assertNever } from '@switchyard/schema'

/** Trait names read, in order, for the address of each kind of channel. */
export const RECIPIENT_TRAITS = {
  email: ['email', 'EMAIL', 'Email'],
  phone: ['phone', 'PHONE', 'mobile', 'MOBILE', 'phoneNumber', 'phone_number'],
  push: ['pushToken', 'push_token', 'PUSH_TOKEN', 'token', 'fcmToken', 'deviceToken'],
} as const

function firstString(traits: Record<string, unknown>, names: readonly string[]): string | null {
  for (const name of names) {
    if (!Object.prototype.hasOwnProperty.call(traits, name)) continue
    const v = traits[name]
    if (typeof v === 'string' && v.trim() !== '') return v.trim()
    if (typeof v === 'number' && Number.isFinite(v)) return String(v)
    if (Array.isArray(v) && typeof v[0] === 'string' && v[0] !== '') return v[0]
  }
  return null
}

/** The user's address on a channel: email, phone number or push token; null when there is none. */
export function recipientOf(channel: Channel, traits: Record<string, unknown>): string | null {
  switch (channel) {
    case 'email':
      return firstString(traits, RECIPIENT_TRAITS.email)
    case 'sms':
    case 'whatsapp':
    case 'rcs':
      return firstString(traits, RECIPIENT_TRAITS.phone)
    case 'app_push':
    case 'web_push':
      return firstString(traits, RECIPIENT_TRAITS.push)
    default:
      return assertNever(channel)
  }
}
