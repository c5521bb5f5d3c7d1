import type { Engine } from '@switchyard/engine'
import type { IngestedEvent } from '@switchyard/schema'
import { ApiError } from './errors'

/**
 * The most a user's merged traits may weigh, as JSON. Identifies merge into one profile, which
 * every event of the user loads and every payload may carry: unbounded, 200 identifies of 30 KB
 * made a 5.7 MB profile and each identify 18 times slower. 64 KB is twice the per-event limit.
 */
export const MAX_PROFILE_BYTES = 64 * 1024

/** Profiles above this size are remembered as accepted, so the engine's lag cannot hide growth. */
const REMEMBER_ABOVE_BYTES = 16 * 1024
const REMEMBERED_PROFILES = 256

/**
 * Refuses a request, before anything is stored, when an identify in it would take a profile past
 * the limit. Each user's identifies merge in order (the engine's merge: later traits replace
 * earlier ones of the same name) onto the profile as of the last accepted identify: the stored
 * profile, or, for a large one, the merge this check remembers, because the engine applies
 * the journal a little after the answer and a quick series of identifies would each see the
 * profile before the others. Requests without identifies cost one type check per event.
 */
const NOTHING_TO_FORGET = { forget: () => {} }

export function createProfileLimit(engine: Engine) {
  const remembered = new Map<string, Record<string, unknown>>()

  return {
    /** Checks the events; `forget` undoes what was remembered when storing them then fails. */
    async check(events: readonly IngestedEvent[]): Promise<{ forget(): void }> {
      const identifies = events.filter((e): e is IngestedEvent & { traits: Record<string, unknown> } => e.type === 'identify' && e.traits !== undefined)
      if (identifies.length === 0) return NOTHING_TO_FORGET
      // A merge weighs at most the stored profile plus the traits merged into it. Users whose bound
      // stays under what is remembered need neither their profile read nor a merge: one read of
      // the stored sizes serves the request, and profiles are read only near the limit.
      const bound = new Map<string, number>()
      for (const e of identifies) bound.set(e.userId, (bound.get(e.userId) ?? 0) + Buffer.byteLength(JSON.stringify(e.traits)))
      const stored = await engine.profileBytes([...bound.keys()].filter((userId) => !remembered.has(userId)))
      const merged = new Map<string, Record<string, unknown>>()
      for (const e of identifies) {
        if (!remembered.has(e.userId) && (stored.get(e.userId) ?? 0) + (bound.get(e.userId) ?? 0) <= REMEMBER_ABOVE_BYTES) continue
        const before = merged.get(e.userId) ?? remembered.get(e.userId) ?? (await engine.getUser(e.userId))?.traits ?? {}
        merged.set(e.userId, { ...before, ...e.traits })
      }
      if (merged.size === 0) return NOTHING_TO_FORGET
      const sizes = [...merged].map(([userId, traits]) => ({ userId, traits, bytes: Buffer.byteLength(JSON.stringify(traits)) }))
      const over = sizes.find((s) => s.bytes > MAX_PROFILE_BYTES)
      if (over) {
        throw new ApiError(
          'profile.too_large',
          `The traits of user “${over.userId}” would weigh ${Math.ceil(over.bytes / 1024)} KB after this identify; a profile holds at most ${MAX_PROFILE_BYTES / 1024} KB. Send fewer or smaller traits, or null for traits the user no longer needs.`,
          { userId: over.userId, limitBytes: MAX_PROFILE_BYTES, profileBytes: over.bytes },
        )
      }
      for (const { userId, traits, bytes } of sizes) {
        remembered.delete(userId)
        if (bytes > REMEMBER_ABOVE_BYTES) remembered.set(userId, traits)
      }
      // Oldest first out: a Map iterates in insertion order.
      for (const userId of remembered.keys()) {
        if (remembered.size <= REMEMBERED_PROFILES) break
        remembered.delete(userId)
      }
      return { forget: () => sizes.forEach((s) => remembered.delete(s.userId)) }
    },
  }
}
