import type { Inspection } from '../store'

export interface PreviewScope {
  label: string
  data: Record<string, unknown>
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function parseSample(sample: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(sample)
    return isRecord(v) ? v : {}
  } catch {
    return {}
  }
}

/**
 * What Liquid previews render against: the journey's sample data, or, while a user is inspected,
 * that user's id with the event and profile their newest run recorded on entry.
 */
export function previewScope(sample: string, inspection: Inspection | null): PreviewScope {
  const base = parseSample(sample)
  if (!inspection) return { label: 'Preview with sample data', data: base }
  const run = inspection.runs[inspection.runIndex]
  const entry = run?.history.find((h) => h.detail !== null)?.detail ?? {}
  const sampleUser = isRecord(base.user) ? base.user : {}
  const user = isRecord(entry.user) ? entry.user : { ...sampleUser, userId: inspection.userId }
  const event = isRecord(entry.event) ? entry.event : base.event
  return { label: `Preview as ${inspection.userId}`, data: { ...base, user: { ...user, userId: inspection.userId }, event } }
}
