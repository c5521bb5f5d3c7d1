/** A clock that only moves when a test says so. */
export class FakeClock {
  constructor(private time: number = Date.parse('2026-01-05T09:00:00Z')) {}
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
