/** The range of a JavaScript Date: past it a time has no ISO form (`toISOString` throws). */
export const MAX_DATE_MS = 8.64e15

/**
 * A time as every backend stores it: whole milliseconds (integer columns; PostgreSQL's BIGINT
 * refuses 1.5) within a Date's range (the engine writes every time in ISO form somewhere). Null
 * for anything else: NaN, Infinity, 1e300.
 */
export function storableTime(ms: number): number | null {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? Math.round(ms) : null
}
