import { openReadDb } from './db'
import type { Death } from './server-process'

/**
 * A kill this long before an arrival may still have hit it: the request was on the wire. 1.5 s
 * was too short on a loaded 2-core machine: a run beside two browser suites counted 4 of 47
 * duplicates as unexplained, the receiver reading requests late. The window only ties an attempt
 * the server never recorded (`unrecorded`) to a kill, so 5 s keeps the check's meaning.
 */
const IN_FLIGHT_MS = 5000

export interface Arrival {
  webhookId: string
  at: number
  status: number
}

export interface WebhookFigures {
  deliveries: number
  delivered: number
  requests: number
  distinctWebhookIds: number
  /** Deliveries queued by a run but never handed to the webhook service, or never delivered. */
  missing: string[]
  /** webhook-id values that match no delivery or batch: an id changed between attempts. */
  unknownIds: string[]
  duplicates: { total: number; retryAfter5xx: number; retryAfterNoAnswer: number; inFlightAtKill: number; unexplained: number }
  /** Each unexplained repeat's arrivals and the attempts the server recorded for it, kept to read after a failing run. */
  unexplained: { webhookId: string; arrivals: Arrival[]; attempts: RecordedAttempt[] }[]
}

interface RecordedAttempt {
  delivery_id: string
  attempt: number
  at: number
  status: number | null
  error: string | null
}

/** Every delivery a run queued arrived at least once, under one stable id; every repeat has a reason. */
export async function checkWebhooks(target: string, arrivals: Arrival[], deaths: Death[]): Promise<WebhookFigures> {
  const db = openReadDb(target)
  try {
    const rows = await db.all<{ id: string; batch_id: string | null; status: string; attempts: number }>(
      "SELECT id, batch_id, status, attempts FROM webhook_deliveries WHERE source = 'journey'",
    )
    const queued = (await db.all<{ detail: string }>("SELECT detail FROM history WHERE kind = 'webhook' AND detail LIKE '%\"queued\"%'"))
      .map((h): unknown => JSON.parse(h.detail))
      .flatMap((d) => (d !== null && typeof d === 'object' && 'deliveryId' in d && typeof d.deliveryId === 'string' ? [d.deliveryId] : []))
    const byId = new Map(rows.map((r) => [r.id, r]))
    const byHeader = new Map<string, Arrival[]>()
    for (const a of arrivals) {
      const list = byHeader.get(a.webhookId) ?? []
      list.push(a)
      byHeader.set(a.webhookId, list)
    }
    const missing: string[] = []
    for (const id of queued) {
      const row = byId.get(id)
      const got = row && (byHeader.get(row.batch_id ?? row.id) ?? []).some((a) => a.status < 300)
      if (!row || row.status !== 'delivered' || !got) missing.push(id)
    }
    const known = new Set(rows.flatMap((r) => (r.batch_id === null ? [r.id] : [r.id, r.batch_id])))
    const unknownIds = [...byHeader.keys()].filter((id) => !known.has(id))
    const duplicates = { total: 0, retryAfter5xx: 0, retryAfterNoAnswer: 0, inFlightAtKill: 0, unexplained: 0 }
    const unexplained: WebhookFigures['unexplained'] = []
    // Attempts the server recorded without an answer (its timeout ran out, or the connection broke
    // after the request left): the receiver may have answered 200 all the same, and the retry that
    // follows is the at-least-once contract, not a duplicate to explain.
    const attempts = await db.all<RecordedAttempt>(
      "SELECT a.delivery_id, a.attempt, a.at, a.status, a.error FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.source = 'journey'",
    )
    const attemptsByHeader = new Map<string, RecordedAttempt[]>()
    for (const a of attempts) {
      const row = byId.get(a.delivery_id)
      if (!row) continue
      const header = row.batch_id ?? row.id
      attemptsByHeader.set(header, [...(attemptsByHeader.get(header) ?? []), a])
    }
    // One count per attempt of a header (a batch's members each record the same attempt).
    const noAnswer = (header: string) => new Set((attemptsByHeader.get(header) ?? []).filter((a) => a.status === null).map((a) => a.attempt)).size
    // Attempts the server recorded per webhook-id; an arrival beyond them was sent but never recorded.
    const recorded = new Map<string, number>()
    for (const r of rows) recorded.set(r.batch_id ?? r.id, Math.max(recorded.get(r.batch_id ?? r.id) ?? 0, r.attempts))
    for (const [header, list] of byHeader) {
      list.sort((a, b) => a.at - b.at)
      let unrecorded = list.length - (recorded.get(header) ?? 0)
      let unanswered = noAnswer(header)
      let odd = false
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1]
        const cur = list[i]
        if (!prev || !cur) continue
        duplicates.total++
        if (prev.status >= 500) duplicates.retryAfter5xx++
        else if (unrecorded > 0 && deaths.some((d) => d.at >= prev.at - IN_FLIGHT_MS && d.at <= cur.at)) {
          duplicates.inFlightAtKill++
          unrecorded--
        } else if (unanswered > 0) {
          duplicates.retryAfterNoAnswer++
          unanswered--
        } else {
          duplicates.unexplained++
          odd = true
        }
      }
      if (odd) unexplained.push({ webhookId: header, arrivals: list, attempts: attemptsByHeader.get(header) ?? [] })
    }
    return {
      deliveries: rows.length,
      delivered: rows.filter((r) => r.status === 'delivered').length,
      requests: arrivals.length,
      distinctWebhookIds: byHeader.size,
      missing,
      unknownIds,
      duplicates,
      unexplained,
    }
  } finally {
    await db.close()
  }
}
