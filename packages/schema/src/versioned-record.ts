import type { z } from 'zod'

/**
 * One step of a persisted shape's history: reads a value stored at version `from` and returns it
 * in the shape of version `from + 1`. Steps are never edited once shipped; a change adds the next.
 */
export interface RecordMigration {
  from: number
  up(old: unknown): unknown
}

export interface VersionedRecordOptions<T> {
  /** Names the record kind in errors (`run context`, `outbox job`...). */
  name: string
  /** The version `encode` writes. Rows written before versioning are version 1. */
  version: number
  schema: z.ZodType<T>
  /** Exactly one step from each version 1 .. version - 1, in order. */
  migrations?: RecordMigration[]
  /**
   * A cheap check used instead of the zod parse for rows already at the current version, on
   * paths that read a row per event. Migrated rows always go through `schema`.
   */
  currentCheck?: (value: unknown) => value is T
}

export interface VersionedRecord<T> {
  readonly name: string
  readonly version: number
  encode(value: T): string
  /** Parses, migrates from the stored version and validates; throws `RecordDecodeError`. */
  decode(text: string): T
}

/** A stored row that cannot be read back: names the record kind and the version it carries. */
export class RecordDecodeError extends Error {
  constructor(
    readonly record: string,
    readonly storedVersion: number | null,
    reason: string,
  ) {
    super(`cannot read stored ${record}${storedVersion === null ? '' : ` v${storedVersion}`}: ${reason}`)
    this.name = 'RecordDecodeError'
  }
}

/** The envelope key: `{"$v": 2, "value": ...}`. Pre-versioning rows hold the bare value. */
const VERSION_KEY = '$v'

/**
 * A persisted JSON shape with a version and an ordered list of migrations, as tldraw migrates its
 * records. `encode` wraps the value with the current version; `decode` reads any older version
 * (a row without the envelope is version 1) and refuses a newer one.
 */
export function versionedRecord<T>(options: VersionedRecordOptions<T>): VersionedRecord<T> {
  const { name, version, schema, currentCheck } = options
  const migrations = [...(options.migrations ?? [])].sort((a, b) => a.from - b.from)
  if (!Number.isInteger(version) || version < 1) throw new Error(`${name}: version must be a whole number from 1`)
  migrations.forEach((m, i) => {
    if (m.from !== i + 1) throw new Error(`${name}: migrations must go from 1 to ${version - 1} one step at a time`)
  })
  if (migrations.length !== version - 1) throw new Error(`${name}: v${version} needs ${version - 1} migrations, has ${migrations.length}`)
  const prefix = `{"${VERSION_KEY}":${version},"value":`

  return {
    name,
    version,
    encode: (value) => `${prefix}${JSON.stringify(value)}}`,
    decode(text) {
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        throw new RecordDecodeError(name, null, 'not JSON')
      }
      const envelope = readEnvelope(parsed)
      const stored = envelope?.version ?? 1
      let value = envelope ? envelope.value : parsed
      if (!Number.isInteger(stored) || stored < 1) throw new RecordDecodeError(name, stored, 'not a valid version')
      if (stored > version) throw new RecordDecodeError(name, stored, `newer than this build reads (v${version}); was it written by a newer Switchyard?`)
      if (stored === version && currentCheck) {
        if (currentCheck(value)) return value
        throw new RecordDecodeError(name, stored, 'does not have the shape of this version')
      }
      for (const m of migrations.slice(stored - 1)) {
        try {
          value = m.up(value)
        } catch (e) {
          throw new RecordDecodeError(name, stored, `migration from v${m.from} failed: ${e instanceof Error ? e.message : String(e)}`)
        }
      }
      const result = schema.safeParse(value)
      if (result.success) return result.data
      const issue = result.error.issues[0]
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
      throw new RecordDecodeError(name, stored, `invalid${where}: ${issue?.message ?? 'unknown issue'}`)
    },
  }
}

function readEnvelope(value: unknown): { version: number; value: unknown } | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null
  const version: unknown = Reflect.get(value, VERSION_KEY)
  // Exactly these two keys: a bare v1 row (user traits, say) may hold anything, even a `$v`.
  if (typeof version !== 'number' || !('value' in value) || Object.keys(value).length !== 2) return null
  return { version, value: Reflect.get(value, 'value') }
}
