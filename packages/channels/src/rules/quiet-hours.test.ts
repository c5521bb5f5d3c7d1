import { describe, expect, it } from 'vitest'
import { quietHours, resolveTimezone } from './quiet-hours'

const at = (iso: string): number => Date.parse(iso)
const night = { start: '22:00', end: '08:00', behaviour: 'hold' as const }

describe('quiet hours', () => {
  it('sends outside a window that crosses midnight', () => {
    // 21:59 in Paris (UTC+1 in January)
    expect(quietHours(at('2026-01-05T20:59:00Z'), 'Europe/Paris', night)).toEqual({ action: 'send' })
    // 08:00 sharp: the window is [start, end)
    expect(quietHours(at('2026-01-06T07:00:00Z'), 'Europe/Paris', night)).toEqual({ action: 'send' })
  })

  it('holds a message due before midnight until the end of the window the next morning', () => {
    const d = quietHours(at('2026-01-05T22:30:00Z'), 'Europe/Paris', night)
    expect(d).toMatchObject({ action: 'hold', until: at('2026-01-06T07:00:00Z') })
  })

  it('holds a message due after midnight until the same morning', () => {
    const d = quietHours(at('2026-01-06T02:00:00Z'), 'Europe/Paris', night)
    expect(d).toMatchObject({ action: 'hold', until: at('2026-01-06T07:00:00Z') })
  })

  it('rolls over the end of a month and a year', () => {
    const d = quietHours(at('2026-12-31T23:00:00Z'), 'UTC', night)
    expect(d).toMatchObject({ action: 'hold', until: at('2027-01-01T08:00:00Z') })
  })

  it('skips instead of holding when asked, saying why', () => {
    const d = quietHours(at('2026-01-05T22:30:00Z'), 'Europe/Paris', { ...night, behaviour: 'skip' })
    expect(d).toEqual({ action: 'skip', reason: 'quiet hours 22:00-08:00 in Europe/Paris' })
  })

  it('handles a window within one day', () => {
    const lunch = { start: '12:00', end: '14:00' }
    expect(quietHours(at('2026-06-01T16:30:00Z'), 'America/New_York', lunch)).toMatchObject({ action: 'hold', until: at('2026-06-01T18:00:00Z') })
    expect(quietHours(at('2026-06-01T18:30:00Z'), 'America/New_York', lunch)).toEqual({ action: 'send' })
  })

  it('uses half-hour offsets', () => {
    // 23:00 in Kolkata (UTC+5:30) -> 08:00 the next day is 02:30Z
    expect(quietHours(at('2026-01-05T17:30:00Z'), 'Asia/Kolkata', night)).toMatchObject({ action: 'hold', until: at('2026-01-06T02:30:00Z') })
  })

  it('ends the window at local 08:00 across the spring-forward night (New York, 8 March 2026)', () => {
    // 23:00 EST on the 7th; the clocks jump 02:00 -> 03:00 in the night; 08:00 EDT is 12:00Z, not 13:00Z.
    const d = quietHours(at('2026-03-08T04:00:00Z'), 'America/New_York', night)
    expect(d).toMatchObject({ action: 'hold', until: at('2026-03-08T12:00:00Z') })
  })

  it('ends the window at local 08:00 across the fall-back night (New York, 1 November 2026)', () => {
    // 23:00 EDT on 31 October; 08:00 EST is 13:00Z.
    const d = quietHours(at('2026-11-01T03:00:00Z'), 'America/New_York', night)
    expect(d).toMatchObject({ action: 'hold', until: at('2026-11-01T13:00:00Z') })
  })

  it('ends a window whose end time does not exist that day when the clocks jump past it', () => {
    // Paris, 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00Z, so 02:30 never happens.
    const d = quietHours(at('2026-03-29T00:30:00Z'), 'Europe/Paris', { start: '01:00', end: '02:30' })
    expect(d).toMatchObject({ action: 'hold', until: at('2026-03-29T01:00:00Z') })
  })

  it('falls back to the default timezone, then UTC, for a missing or invalid one', () => {
    expect(resolveTimezone('Mars/Olympus', 'Europe/Paris')).toBe('Europe/Paris')
    expect(resolveTimezone(undefined, 'Nowhere/Else')).toBe('UTC')
    const d = quietHours(at('2026-01-05T22:30:00Z'), 'not a zone', { ...night, defaultTimezone: 'Asia/Tokyo' })
    // 07:30 in Tokyo (UTC+9): quiet until 08:00 Tokyo, 23:00Z
    expect(d).toMatchObject({ action: 'hold', until: at('2026-01-05T23:00:00Z'), reason: 'quiet hours 22:00-08:00 in Asia/Tokyo' })
    expect(quietHours(at('2026-01-05T22:30:00Z'), null, night)).toMatchObject({ action: 'hold', until: at('2026-01-06T08:00:00Z') })
  })

  it('treats start == end as no quiet hours', () => {
    expect(quietHours(at('2026-01-05T22:30:00Z'), 'UTC', { start: '09:00', end: '09:00' })).toEqual({ action: 'send' })
  })
})
