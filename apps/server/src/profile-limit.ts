import type { Engine } from '@switchyard/engine'
import type { IngestedEvent } from '@switchyard/schema'
import { ApiError } from './errors'

/**
 * The most a user's merged traits may weigh, as JSON. Identifies merge into one profile, which
 * every event of the user loads and every payload may carry: unbounded, 200 identifies of 30 KB
 * made a 5.7 MB profile and each identify 18 times slower. 64 KB is twice the per-event limit.
 */
export const MAX_PROFILE_BYTES = 64 * 1024

/**
 * Refuses the request, before anything is stored, when an identify in it would take a profile
 * past the limit. Each user's identifies merge in order onto the profile as applied so far
 * (identifies still queued in the journal are not counted; the engine applies within
 * milliseconds). Requests without identifies cost one type check per event.
 */
export async function checkProfileSizes(engine: Engine, events: readonly IngestedEvent[]): Promise<void> {
  const merged = new Map<string, Record<string, unknown>>()
  for (const e of events) {
    if (e.type !== 'identify' || e.traits === undefined) continue
    const before = merged.get(e.userId) ?? (await engine.store.getUser(e.userId))?.traits ?? {}
    // The engine's merge: later traits replace earlier ones of the same name.
    merged.set(e.userId, { ...before, ...e.traits })
  }
  for (const [userId, traits] of merged) {
    const bytes = Buffer.byteLength(JSON.stringify(traits))
    if (bytes > MAX_PROFILE_BYTES) {
      throw new ApiError(
        400,
        'profile.too_large',
        `The traits of user “${userId}” would weigh ${Math.ceil(bytes / 1024)} KB after this identify; a profile holds at most ${MAX_PROFILE_BYTES / 1024} KB. Send fewer or smaller traits, or null for traits the user no longer needs.`,
        { userId, limitBytes: MAX_PROFILE_BYTES, profileBytes: bytes },
      )
    }
  }
}
