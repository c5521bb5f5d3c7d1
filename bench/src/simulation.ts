import { performance } from 'node:perf_hooks'
import { BacktestAnswer, SimulationAnswer, type DraftGraph } from '@switchyard/schema'
import { startServer } from './server'
import { percentile, round, sortNumbers, tempDir } from './util'

const position = { x: 0, y: 0 }

/**
 * A 30-day onboarding journey: a welcome email, 3 days to open it (opened: CRM webhook, a week's
 * delay, an SMS and 10 days to click it; not opened: a 10-day delay and a reminder email).
 */
export function thirtyDayJourney(webhookId: string): DraftGraph {
  const node = (id: string, type: string, data: Record<string, unknown>) => ({ id, type, position, data })
  const edge = (source: string, handle: string, target: string) => ({ id: `${source}-${handle}-${target}`, source, target, sourceHandle: handle })
  return {
    nodes: [
      node('t', 'trigger', { event: 'signed_up' }),
      node('welcome', 'action', { channel: 'email', message: { subject: 'Welcome, {{ user.traits.firstName }}', body: 'Your plan: {{ user.traits.plan | default: "free" }}.' } }),
      node('opened', 'waitForEvent', { activity: { status: 'opened' }, within: { amount: 3, unit: 'days' } }),
      node('crm', 'webhook', { webhookId, params: ['user.traits.plan'] }),
      node('week', 'delay', { for: { amount: 7, unit: 'days' } }),
      node('tips', 'action', { channel: 'sms', message: { text: 'Tips for week two, {{ user.traits.firstName }}' } }),
      node('clicked', 'waitForEvent', { activity: { status: 'clicked' }, within: { amount: 10, unit: 'days' } }),
      node('later', 'delay', { for: { amount: 10, unit: 'days' } }),
      node('reminder', 'action', { channel: 'email', message: { subject: 'Still there, {{ user.traits.firstName }}?', body: 'We kept your seat.' } }),
      node('done', 'exit', {}),
      node('quiet', 'exit', {}),
      node('gone', 'exit', {}),
    ],
    edges: [
      edge('t', 'next', 'welcome'),
      edge('welcome', 'next', 'opened'),
      edge('opened', 'matched', 'crm'),
      edge('crm', 'next', 'week'),
      edge('week', 'next', 'tips'),
      edge('tips', 'next', 'clicked'),
      edge('clicked', 'matched', 'done'),
      edge('clicked', 'timeout', 'quiet'),
      edge('opened', 'timeout', 'later'),
      edge('later', 'next', 'reminder'),
      edge('reminder', 'next', 'gone'),
    ],
  }
}

/** A deterministic stream of numbers in [0, 1): the same script every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0
    return s / 2 ** 32
  }
}

const Created = {
  parse(v: unknown): { id: string } {
    if (v !== null && typeof v === 'object' && 'id' in v && typeof v.id === 'string') return { id: v.id }
    throw new Error(`expected an answer with an id: ${JSON.stringify(v)}`)
  },
}
const Anything = { parse: (v: unknown): unknown => v }

/** POSTs JSON; a non-2xx answer fails the figure with what the server said. */
async function post<T>(url: string, path: string, body: unknown, answer: { parse(v: unknown): T }): Promise<T> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await res.text()
  if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${text.slice(0, 500)}`)
  return answer.parse(text === '' ? null : JSON.parse(text))
}

/** A draft of the 30-day journey on a fresh server; nothing is published, so live traffic enters nothing. */
async function draftOnServer(label: string) {
  const tmp = tempDir(label)
  const server = await startServer(tmp.file)
  const hook = await post(server.url, '/api/webhooks', { name: 'CRM', url: 'https://crm.example.com/hook', encoding: 'json' }, Created)
  const journey = await post(server.url, '/api/journeys', { name: 'Onboarding', graph: thirtyDayJourney(hook.id) }, Created)
  return {
    url: server.url,
    id: journey.id,
    async stop() {
      await server.stop()
      tmp.cleanup()
    },
  }
}

export interface SimulationSpeed {
  users: number
  events: number
  simulatedDays: number
  /** Wall time of POST /simulate, request to parsed answer; the first run, then the median of the rest. */
  firstMs: number
  medianMs: number
  simulatedDaysPerSecond: number
  effects: number
}

/**
 * (11) POST /api/journeys/:id/simulate against the real server: `users` users signing up over the
 * first day, 60% opening the welcome email within 2 days, a third of those clicking the SMS, over
 * the 30 days of the journey. Simulated days per second = 30 / the median wall time.
 */
export async function simulationSpeed(users: number, runs = 5): Promise<SimulationSpeed> {
  const s = await draftOnServer('simulate')
  try {
    const rand = lcg(7)
    const events: unknown[] = []
    const list = Array.from({ length: users }, (_, i) => {
      const userId = `u${i}`
      const signup = Math.floor(rand() * 24 * 60)
      events.push({ at: `+${signup}m`, userId, event: 'signed_up' })
      if (rand() < 0.6) {
        events.push({ at: `+${signup + 60 + Math.floor(rand() * 47 * 60)}m`, userId, activity: { status: 'opened' } })
        if (rand() < 0.33) events.push({ at: `+${signup + 9 * 24 * 60 + Math.floor(rand() * 5 * 24 * 60)}m`, userId, activity: { status: 'clicked' } })
      }
      return { userId, traits: { firstName: `User ${i}`, plan: i % 3 === 0 ? 'pro' : 'free', email: `u${i}@example.com`, phone: `+91900000${String(i).padStart(4, '0')}` } }
    })
    const body = { start: '2026-01-05T00:00:00.000Z', users: list, events, until: '+30d' }
    const times: number[] = []
    let effects = 0
    for (let r = 0; r < runs; r++) {
      const t = performance.now()
      const res = await post(s.url, `/api/journeys/${s.id}/simulate`, body, SimulationAnswer)
      times.push(performance.now() - t)
      effects = res.effects.length
    }
    const first = times[0] ?? Number.NaN
    const median = percentile(sortNumbers(times.slice(1)), 50)
    return { users, events: events.length, simulatedDays: 30, firstMs: round(first), medianMs: round(median), simulatedDaysPerSecond: round(30 / (median / 1000), 1), effects }
  } finally {
    await s.stop()
  }
}

export interface BacktestSpeed {
  storedEvents: number
  replayed: number
  firstMs: number
  medianMs: number
  eventsPerSecond: number
}

/**
 * (11) POST /api/journeys/:id/backtest over a journal of `users` × 4 stored events (identify,
 * signed_up, email.opened, purchase) ingested through /v1/batch: replayed events per second of
 * the median wall time.
 */
export async function backtestSpeed(users: number, runs = 3): Promise<BacktestSpeed> {
  const s = await draftOnServer('backtest')
  try {
    const from = new Date(Date.now() - 1000).toISOString()
    let stored = 0
    const rand = lcg(11)
    for (let i = 0; i < users; i += 100) {
      const batch = []
      for (let k = i; k < Math.min(users, i + 100); k++) {
        const userId = `u${k}`
        batch.push({ type: 'identify', userId, traits: { firstName: `User ${k}`, plan: k % 3 === 0 ? 'pro' : 'free', email: `u${k}@example.com` } })
        batch.push({ type: 'track', userId, event: 'signed_up' })
        batch.push({ type: 'track', userId, event: 'email.opened', properties: { messageId: `live-${k}`, channel: 'email', status: 'opened' } })
        batch.push({ type: 'track', userId, event: 'purchase', properties: { amount: Math.round(rand() * 100) } })
      }
      await post(s.url, '/v1/batch', { batch }, Anything)
      stored += batch.length
    }
    const to = new Date(Date.now() + 1000).toISOString()
    const times: number[] = []
    let replayed = 0
    for (let r = 0; r < runs; r++) {
      const t = performance.now()
      const res = await post(s.url, `/api/journeys/${s.id}/backtest`, { from, to }, BacktestAnswer)
      times.push(performance.now() - t)
      replayed = res.replayed.events
    }
    const median = percentile(sortNumbers(times.length > 1 ? times.slice(1) : times), 50)
    return { storedEvents: stored, replayed, firstMs: round(times[0] ?? Number.NaN), medianMs: round(median), eventsPerSecond: round(replayed / (median / 1000)) }
  } finally {
    await s.stop()
  }
}
