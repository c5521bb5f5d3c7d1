/** The engine never reads the time itself: tests pass a fake clock, the server the system clock. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }
