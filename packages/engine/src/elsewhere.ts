import type { EngineErrorCode, Failure, Journey, MigratePolicy, NodeReferences } from '@switchyard/schema'
import type { PublishResult } from './records'

/**
 * Where an engine's journal is applied when not by itself: another thread on the same SQLite file
 * (the server's engine thread). Writes that touch runs (publish with migration, pause and resume,
 * delete) must run under the applier's lock, so they are handed to it; other journey edits only
 * tell it to read the catalog again.
 */
export interface AppliedElsewhere {
  publish(id: string, references: NodeReferences, migrate?: MigratePolicy): Promise<PublishResult | Failure<'migration.invalid_map'> | null>
  setPaused(id: string, paused: boolean): Promise<Journey | Failure<EngineErrorCode> | null>
  deleteJourney(id: string, options: { exitUsers: boolean }): Promise<{ ok: true } | Failure<EngineErrorCode> | null>
  /** A journey was created or edited here. */
  journeysChanged(): void
}

/** What one of the applier's batches applied, so this side's counters (and back-pressure) follow. */
export interface AppliedCounts {
  events: number
  timers: number
  /** Of `events`, those set aside because they failed to apply. */
  setAside?: number
}
