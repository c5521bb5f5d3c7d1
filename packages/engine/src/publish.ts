import { COMPILER_VERSION, type CompiledJourney } from '@switchyard/compiler'
import type { JourneyRecord, JourneyVersionRecord } from './records'
import { draftHash } from './views'

/** The version a publish stores, and the journey as it stands after it (live unless paused). */
export function nextVersion(j: JourneyRecord, compiled: CompiledJourney, now: number): { record: JourneyVersionRecord; next: JourneyRecord } {
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
