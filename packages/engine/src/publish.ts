import { COMPILER_VERSION, compileJourney, type CompiledJourney } from '@switchyard/compiler'
import { validateGraph, type Failure, type MigratePolicy, type NodeReferences } from '@switchyard/schema'
import type { JourneyCatalog } from './catalog'
import { migrationCommit, type MigrationOutcome } from './migrate/apply'
import { previewMigration } from './migrate/preview'
import type { JourneyRecord, JourneyVersionRecord, PublishResult, RunRecord } from './records'
import { VersionTakenError, emptyCommit, type EngineCommit, type EngineStore } from './store'
import { draftHash } from './views'

/** How many times a publish takes the next version number when another process took its own. */
const PUBLISH_ATTEMPTS = 5

export interface PublishDeps {
  store: EngineStore
  catalog: JourneyCatalog
  now: () => number
  /** The engine's commit, for a publish that moves waiting runs in the same transaction. */
  commit: (c: EngineCommit) => Promise<void>
}

/**
 * Publishes the journey as stored now: validates it with `references`, previews the migration
 * when `migrate` is given, stores the next version (with the moved runs, in one commit), and then
 * adds it to the catalog. Runs under the engine's lock.
 */
export async function publishJourney(d: PublishDeps, id: string, references: NodeReferences, migrate: MigratePolicy | undefined): Promise<PublishResult | Failure<'migration.invalid_map'> | null> {
  const j = await d.store.getJourney(id)
  if (!j) return null
  const result = validateGraph(j.graph, { ...references, settings: j.settings })
  if (!result.ok) return { ok: false, issues: result.issues }
  const plan = migrate === undefined ? null : await previewMigration(d.store, j, j.graph, migrate)
  if (plan !== null && !('diff' in plan)) return plan
  const compiled = compileJourney(result.graph)
  const now = d.now()
  const { record, next } = nextVersion(j, compiled, now)
  const version = record.version
  let migrated: MigrationOutcome | undefined
  if (plan === null) await d.store.insertVersion(record, next)
  else {
    const target = { journeyId: j.id, version, stateKeyOf: compiled.stateKeyOf }
    const moveRuns = (runs: RunRecord[]) => {
      const m = migrationCommit(runs, plan.waiting, target, now)
      migrated = m.outcome
      return m.commit
    }
    await d.commit({ ...emptyCommit(), version: { record, journey: next, migrate: moveRuns } })
  }
  // Only once stored: a failed commit must not leave a version in memory that the database lacks.
  d.catalog.addVersion(record, compiled)
  d.catalog.setJourney(next)
  const older = (await d.store.activeCounts(j.id)).filter((a) => a.version < version).reduce((n, a) => n + a.count, 0)
  return { ok: true, version, activeUsersOnOlderVersions: older, ...(migrated ? { migrated } : {}) }
}

/**
 * Processes sharing PostgreSQL can publish one journey at once: the one that finds its version
 * number taken (`VersionTakenError`) reads the journey again and takes the next.
 */
export async function retryOnVersionTaken<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt()
    } catch (error) {
      if (!(error instanceof VersionTakenError) || n >= PUBLISH_ATTEMPTS) throw error
    }
  }
}

/** The version a publish stores, and the journey as it stands after it (live unless paused). */
function nextVersion(j: JourneyRecord, compiled: CompiledJourney, now: number): { record: JourneyVersionRecord; next: JourneyRecord } {
  const version = (j.version ?? 0) + 1
  const record: JourneyVersionRecord = {
    journeyId: j.id,
    version,
    graph: j.graph,
    settings: j.settings,
    machine: compiled.machine,
    hash: compiled.hash,
    compilerVersion: COMPILER_VERSION,
    publishedAt: now,
  }
  const next: JourneyRecord = { ...j, status: j.status === 'paused' ? 'paused' : 'live', version, publishedDraftHash: draftHash(j), updatedAt: now }
  return { record, next }
}
