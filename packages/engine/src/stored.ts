import { z } from 'zod'
import { Channel, DraftGraph, JourneySettings, StoredOutboxJobSchema, isJsonObject as isRecord, isStoredOutboxJobShape, versionedRecord } from '@switchyard/schema'
import type { MachineJson } from '@switchyard/compiler'
import type { StoredRunContext } from './records'

/**
 * Every JSON column the engine reads back, each with its version and migrations. A new shape
 * gets a new version and one more step here; a shipped step is never edited.
 */

export const StoredGraph = versionedRecord({ name: 'journey graph', version: 1, schema: DraftGraph })

export const StoredSettings = versionedRecord({ name: 'journey settings', version: 1, schema: JourneySettings })

const JsonRecord = z.record(z.string(), z.unknown())

export type { StoredRunContext }

const RunContextSchema: z.ZodType<StoredRunContext> = z.object({
  runId: z.string(),
  journeyId: z.string(),
  version: z.number(),
  userId: z.string(),
  event: z.object({ name: z.string(), properties: JsonRecord, messageId: z.string(), timestamp: z.string() }).nullable(),
  message: z.object({ nodeId: z.string(), id: z.string(), channel: Channel }).nullable(),
  control: z.boolean(),
})

/**
 * Read for every run an event touches, so rows at the current version get a shape check of the
 * top level instead of the zod parse (see the README's invariants for why that is enough).
 */
function isCurrentRunContext(v: unknown): v is StoredRunContext {
  return (
    isRecord(v) &&
    typeof v.runId === 'string' &&
    typeof v.journeyId === 'string' &&
    typeof v.version === 'number' &&
    typeof v.userId === 'string' &&
    (v.event === null || isRecord(v.event)) &&
    (v.message === null || isRecord(v.message)) &&
    typeof v.control === 'boolean'
  )
}

/** v2: `control` is always there (v1 runs from before the control group lack it: not held out). */
export const StoredRunContextRecord = versionedRecord({
  name: 'run context',
  version: 2,
  schema: RunContextSchema,
  migrations: [{ from: 1, up: (old) => (isRecord(old) ? { ...old, control: old.control ?? false } : old) }],
  currentCheck: isCurrentRunContext,
})

/** The outlets a goal watch's run took where it branched: node id -> outlet. */
export const StoredGoalOutlets = versionedRecord({ name: 'goal watch outlets', version: 1, schema: z.record(z.string(), z.string()) })

/**
 * Read once per delivery by every relay batch: rows at the current version get the top-level check.
 * v2: a message job may leave out its fields (`StoredMessageJob`); every v1 job carries them.
 */
export const StoredOutboxJob = versionedRecord({
  name: 'outbox job',
  version: 2,
  schema: StoredOutboxJobSchema,
  migrations: [{ from: 1, up: (old) => old }],
  currentCheck: isStoredOutboxJobShape,
})

/** A user's profile, read for every user of a batch: rows at the current version need only be objects. */
export const StoredTraits = versionedRecord({ name: 'user traits', version: 1, schema: JsonRecord, currentCheck: isRecord })

export const StoredHistoryDetail = versionedRecord({ name: 'history detail', version: 1, schema: JsonRecord })

/** Where retention's walk of ended runs stopped (`engine_meta` key `history_pruned_through`). */
export const StoredHistoryMark = versionedRecord({
  name: 'retention history mark',
  version: 1,
  schema: z.object({ endedAt: z.number(), runId: z.string() }),
})

/** The compiled machine and the compiler that made it. */
export interface StoredMachine {
  compilerVersion: number
  machine: MachineJson
}

/**
 * Only the outline is checked: the engine runs the machine it recompiles from the graph, and the
 * stored one is compared with it by hash (catalog.ts), never interpreted.
 */
const MachineSchema = z.custom<MachineJson>(
  (v) => isRecord(v) && typeof v.id === 'string' && typeof v.initial === 'string' && isRecord(v.states),
  'not a machine config',
)

/** v2 wraps the machine with its compiler version; v1 rows were bare machines, from compiler 0 (unknown). */
export const StoredMachineRecord = versionedRecord({
  name: 'compiled machine',
  version: 2,
  schema: z.object({ compilerVersion: z.number().int().min(0), machine: MachineSchema }),
  migrations: [{ from: 1, up: (old) => ({ compilerVersion: 0, machine: old }) }],
})

export { isRecord }
