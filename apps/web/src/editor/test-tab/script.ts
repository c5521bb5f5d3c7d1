import { ACTIVITY_STATUSES, relativeMs, type SimulatedEvent } from '@switchyard/schema'

export type ScriptLine = { ok: true; event: SimulatedEvent } | { ok: false; line: number; message: string }

const LINE = /^(?:(\S+)\s+)?(\+\d+[smhdw])\s*:\s*([^\s{]+)\s*(\{.*\})?\s*$/

/**
 * The Test tab's script: one event a line, `[userId] +<time>: <event or activity status> [{json}]`,
 * e.g. `+0s: add_to_cart {"sku": "A-1"}`, `+2d: opened`, `ben +1h: purchase`. A line without a
 * user is the first user's. A status (`opened`, `clicked`, ...) reports activity for the message
 * the journey sent that user last; anything else is a track event. Blank lines and `#` comments
 * are skipped.
 */
export function parseScript(text: string, defaultUser: string): ScriptLine[] {
  const out: ScriptLine[] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const m = LINE.exec(line)
    const [, user, at, name, json] = m ?? []
    if (!m || at === undefined || name === undefined || relativeMs(at) === null) {
      out.push({ ok: false, line: i + 1, message: `Line ${i + 1}: write “+2d: opened” or “ben +1h: purchase {"sku": "A-1"}” (times in s, m, h, d or w).` })
      return
    }
    let properties: Record<string, unknown> | undefined
    if (json !== undefined) {
      try {
        const parsed: unknown = JSON.parse(json)
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
        properties = Object.fromEntries(Object.entries(parsed))
      } catch {
        out.push({ ok: false, line: i + 1, message: `Line ${i + 1}: the properties after the event must be a JSON object.` })
        return
      }
    }
    const userId = user ?? defaultUser
    const status = ACTIVITY_STATUSES.find((s) => s === name)
    const base = { at, userId, type: 'track' as const, ...(properties ? { properties } : {}) }
    out.push({ ok: true, event: status ? { ...base, activity: { status } } : { ...base, event: name } })
  })
  return out
}

/** Trait names a template reads (`{{ user.traits.firstName }}`) that the user does not have. */
export function missingTraits(message: unknown, traits: Record<string, unknown>): string[] {
  const names = new Set<string>()
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/user\.traits\.([A-Za-z_][\w-]*)/g)) if (m[1] !== undefined) names.add(m[1])
    } else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit)
  }
  visit(message)
  return [...names].filter((n) => traits[n] === undefined || traits[n] === null || traits[n] === '').sort()
}
