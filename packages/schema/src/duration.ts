import { z } from 'zod'

export const DURATION_UNITS = ['seconds', 'minutes', 'hours', 'days', 'weeks'] as const
export const DurationUnit = z.enum(DURATION_UNITS)
export type DurationUnit = z.infer<typeof DurationUnit>

export const Duration = z.object({
  amount: z.number().finite(),
  unit: DurationUnit,
})
export type Duration = z.infer<typeof Duration>

const UNIT_MS = {
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
} as const satisfies Record<DurationUnit, number>

export const MIN_DURATION_MS = 1_000
/** One year of 365 days. */
export const MAX_DURATION_MS = 365 * 86_400_000

export function durationMs(d: Duration): number {
  // Whole milliseconds: due times are stored as integers (BIGINT on PostgreSQL), and 1.0001 seconds is not one.
  return Math.round(d.amount * UNIT_MS[d.unit])
}

export function isDurationInRange(d: Duration): boolean {
  const ms = durationMs(d)
  return ms >= MIN_DURATION_MS && ms <= MAX_DURATION_MS
}

export function formatDuration(d: Duration): string {
  const unit = d.amount === 1 ? d.unit.slice(0, -1) : d.unit
  return `${d.amount} ${unit}`
}
