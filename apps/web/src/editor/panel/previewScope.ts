import type { PreviewUser } from '../preview-user'
import type { Inspection } from '../store'

export interface PreviewScope {
  label: string
  data: Record<string, unknown>
  /** The real traits rendered with, when the preview is a real (inspected or simulated) user's. */
  traits?: Record<string, unknown>
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
 * What Liquid previews render against: the journey's sample data, or, while a user is inspected
 * or a simulated user's path is shown, that user's real traits (never the sample's: a preview
 * that greets "Asha" while the user gets "Hi ," hides the bug) with the event their run entered on.
 */
export function previewScope(sample: string, inspection: Inspection | null, real: PreviewUser | null = null): PreviewScope {
  const base = parseSample(sample)
  const run = inspection?.runs[inspection.runIndex]
  const entry = run?.history.find((h) => h.detail !== null)?.detail ?? {}
  const applies = real !== null && (inspection ? inspection.userId === real.userId : real.source === 'simulated')
  if (applies) {
    const event = isRecord(entry.properties) ? { event: entry.event, properties: entry.properties } : base.event
    return { label: `Preview as ${real.userId}`, data: { ...base, user: { userId: real.userId, id: real.userId, traits: real.traits }, event }, traits: real.traits }
  }
  if (!inspection) return { label: 'Preview with sample data', data: base }
  const sampleUser = isRecord(base.user) ? base.user : {}
  const user = isRecord(entry.user) ? entry.user : { ...sampleUser, userId: inspection.userId }
  const event = isRecord(entry.event) ? entry.event : base.event
  return { label: `Preview as ${inspection.userId}`, data: { ...base, user: { ...user, userId: inspection.userId }, event } }
}
