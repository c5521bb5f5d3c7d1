/** The engine never reads the time itself: tests pass a fake clock, the server the system clock. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  constructor(private time: number = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.time
  }
  set(ms: number): void {
    this.time = ms
  }
  advance(ms: number): void {
    this.time += ms
  }
}
