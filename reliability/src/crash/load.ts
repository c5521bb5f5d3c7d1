import type { PlannedEvent } from './plan'

export interface LoadFigures {
  requests: number
  acked: number
  /** Requests sent again because no 200 came back (refused, reset, timed out, 5xx). */
  resent: number
  /** Acknowledged requests sent once more on purpose: must change nothing. */
  deliberateRepeats: number
  /** Non-2xx answers other than 5xx; any is a harness or server bug. */
  refused: { status: number; body: string }[]
  fiveXx: number
  eventsSent: number
  ackedMessageIds: Set<string>
}

/**
 * Sends request bodies to `/v1/batch` with a few in flight, paced over `durationMs`. A body
 * without a 200 is sent again, byte for byte, until it gets one.
 */
export async function sendWave(
  /** Where to send; a function picks per request (several processes behind no load balancer). */
  url: string | (() => string),
  bodies: PlannedEvent[][],
  o: { concurrency: number; durationMs: number; random: () => number; figures: LoadFigures },
): Promise<void> {
  const f = o.figures
  const start = Date.now()
  const interval = bodies.length === 0 ? 0 : o.durationMs / bodies.length
  let next = 0
  const post = async (text: string, count: number): Promise<number | null> => {
    f.requests++
    f.eventsSent += count
    try {
      const res = await fetch(`${typeof url === 'string' ? url : url()}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: text,
        signal: AbortSignal.timeout(5000),
      })
      const body = await res.text()
      if (res.status >= 500) f.fiveXx++
      else if (res.status !== 200) f.refused.push({ status: res.status, body: body.slice(0, 300) })
      return res.status
    } catch {
      return null
    }
  }
  /** Until a 200, or a 4xx that no repeat would change. */
  const deliver = async (text: string, count: number): Promise<number> => {
    for (;;) {
      const status = await post(text, count)
      if (status !== null && status < 500) return status
      f.resent++
      await sleep(50 + o.random() * 200)
    }
  }
  const worker = async () => {
    for (;;) {
      const i = next++
      const events = bodies[i]
      if (events === undefined) return
      const due = start + i * interval
      if (due > Date.now()) await sleep(due - Date.now())
      const text = JSON.stringify({ batch: events, sentAt: new Date().toISOString() })
      if ((await deliver(text, events.length)) !== 200) continue
      f.acked++
      for (const e of events) f.ackedMessageIds.add(e.messageId)
      if (o.random() < 0.05) {
        f.deliberateRepeats++
        await deliver(text, events.length)
      }
    }
  }
  await Promise.all(Array.from({ length: o.concurrency }, worker))
}

export function emptyLoadFigures(): LoadFigures {
  return { requests: 0, acked: 0, resent: 0, deliberateRepeats: 0, refused: [], fiveXx: 0, eventsSent: 0, ackedMessageIds: new Set() }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
