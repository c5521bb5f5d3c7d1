/** Do-not-disturb window in the user's own clock: `22:00`-`08:00` crosses midnight. */
export interface QuietHoursSettings {
  start: string
  end: string
  /** hold: send when the window ends; skip: do not send at all. */
  behaviour?: 'hold' | 'skip'
  /** Used when the user has no timezone or an invalid one; UTC when this is missing or invalid too. */
  defaultTimezone?: string
}

export type QuietHoursDecision =
  | { action: 'send' }
  | { action: 'hold'; until: number; reason: string }
  | { action: 'skip'; reason: string }

interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  const cached = formatters.get(timeZone)
  if (cached !== undefined) return cached
  try {
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    if (formatters.size > 1000) formatters.clear()
    formatters.set(timeZone, fmt)
    return fmt
  } catch {
    return null
  }
}

export function isValidTimezone(timeZone: string | null | undefined): timeZone is string {
  return typeof timeZone === 'string' && timeZone !== '' && formatterFor(timeZone) !== null
}

/** The user's IANA timezone when valid, else the default when valid, else UTC. */
export function resolveTimezone(timeZone: string | null | undefined, defaultTimezone?: string): string {
  if (isValidTimezone(timeZone)) return timeZone
  if (isValidTimezone(defaultTimezone)) return defaultTimezone
  return 'UTC'
}

function wallClock(ms: number, fmt: Intl.DateTimeFormat): WallClock {
  const w: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 }
  for (const p of fmt.formatToParts(ms)) {
    if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'hour' || p.type === 'minute' || p.type === 'second') {
      w[p.type] = Number(p.value)
    }
  }
  if (w.hour === 24) w.hour = 0
  return w
}

/** Wall clock as if it were UTC: comparable across dates, monotone except at a fall-back. */
function wallKey(w: WallClock): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
}

function offsetAt(ms: number, fmt: Intl.DateTimeFormat): number {
  const whole = Math.floor(ms / 1000) * 1000
  return wallKey(wallClock(whole, fmt)) - whole
}

function minutesOf(clock: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(clock.trim())
  if (m === null) throw new RangeError(`Not a clock time: ${clock}`)
  return Number(m[1]) * 60 + Number(m[2])
}

const HOUR = 3_600_000

/**
 * The first instant after `after` at which the wall clock reads `target` (a wall key). When that
 * wall time is skipped by a spring-forward, the instant the clocks jump past it; when a fall-back
 * repeats it, the first of the two.
 */
function instantOfWall(target: number, after: number, fmt: Intl.DateTimeFormat): number {
  const a = target - offsetAt(target - 14 * HOUR, fmt)
  const b = target - offsetAt(target + 14 * HOUR, fmt)
  const exact = [a, b].filter((c) => c > after && wallKey(wallClock(c, fmt)) === target).sort((x, y) => x - y)
  if (exact[0] !== undefined) return exact[0]
  let lo = Math.min(a, b)
  let hi = Math.max(a, b)
  // In the gap the wall clock only moves forward, so "has reached target" is monotone here.
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000
    if (wallKey(wallClock(mid, fmt)) >= target) hi = mid
    else lo = mid
  }
  return Math.max(hi, after + 1000)
}

/**
 * Whether a message may go now under quiet hours, in the user's timezone (Intl, DST aware).
 * start == end is an empty window. A window is [start, end): a message at `end` goes out.
 */
export function quietHours(nowMs: number, timezone: string | null | undefined, settings: QuietHoursSettings): QuietHoursDecision {
  const tz = resolveTimezone(timezone, settings.defaultTimezone)
  const fmt = formatterFor(tz)
  if (fmt === null) return { action: 'send' }
  const start = minutesOf(settings.start)
  const end = minutesOf(settings.end)
  if (start === end) return { action: 'send' }
  const w = wallClock(nowMs, fmt)
  const t = w.hour * 60 + w.minute + w.second / 60
  const crossesMidnight = start > end
  const quiet = crossesMidnight ? t >= start || t < end : t >= start && t < end
  if (!quiet) return { action: 'send' }
  const reason = `quiet hours ${settings.start}-${settings.end} in ${tz}`
  if (settings.behaviour === 'skip') return { action: 'skip', reason }
  const endsTomorrow = crossesMidnight && t >= start
  // Date.UTC normalises day + 1 across month and year ends.
  const target = Date.UTC(w.year, w.month - 1, w.day + (endsTomorrow ? 1 : 0), Math.floor(end / 60), end % 60)
  return { action: 'hold', until: instantOfWall(target, nowMs, fmt), reason }
}
