import type { BodySource } from './activity-item'
import { resolveParams } from './params'

/** CleverTap's webhook shape (seed 001): a target id, key-values, and one profile per user. */
export interface ProfilesBody {
  targetId: string
  key_values: Record<string, string>
  profiles: {
    Identity: string
    Email?: string
    ProfileData: Record<string, unknown>
    Event_properties: Record<string, unknown>
    Push_token?: string
  }[]
}

export function profilesBody(source: BodySource): ProfilesBody {
  const { context } = source
  const traits = context.user.traits
  const email = firstString(traits, ['email', 'EMAIL', 'Email'])
  const pushToken = firstString(traits, ['push_token', 'pushToken', 'PUSH_TOKEN'])
  return {
    targetId: context.journey.id,
    key_values: { ...source.customParams },
    profiles: [
      {
        Identity: context.user.id,
        ...(email === undefined ? {} : { Email: email }),
        ProfileData: resolveParams(source.params, context),
        Event_properties: { ...(context.event?.properties ?? {}) },
        ...(pushToken === undefined ? {} : { Push_token: pushToken }),
      },
    ],
  }
}

function firstString(record: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = record[key]
    if (typeof value === 'string' && value !== '') return value
  }
  return undefined
}
