import type { Clock } from '../clock'

/**
 * The clock of a simulation: it only moves when told, straight to the next event or due timer,
 * so a week-long wait costs nothing. It never goes back.
 */
export class VirtualClock implements Clock {
  private current: number

  constructor(start: number) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  /** Moves to `at`; a time already past leaves the clock where it is. */
  advanceTo(at: number): void {
    if (at > this.current) this.current = at
  }
}

/**
 * Run ids for a simulation: sortable like `newId`'s, from the virtual time and a counter instead
 * of randomness, so the same request gives the same ids and the same answer, byte for byte.
 */
export function deterministicIds(): (prefix: string, now: number) => string {
  let counter = 0
  return (prefix, now) => `${prefix}_${now.toString(36).padStart(9, '0')}${(counter++).toString(36).padStart(6, '0')}`
}
