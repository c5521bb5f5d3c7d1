import { count, openReadDb } from './db'

/**
 * A user's outcome as the database holds it, independent of ids and clocks: per journey (by name)
 * the runs in the order they started, each with its status and the path of its history rows
 * (`kind:node>outlet`). Delivery-attempt rows are left out: they are written after the send, by
 * the webhook service, and are not part of the state machine's path.
 */
export interface Outcomes {
  byUser: Map<string, string[]>
  traits: Map<string, string>
  runs: number
  activeRuns: number
  timersLeft: number
  outboxLeft: number
  /** Runs with more than one timeout row for the same node: a timer fired twice. */
  doubleFired: string[]
  timeouts: number
}

interface RunRow {
  run_id: string
  user_id: string
  name: string
  status: string
  started_at: number
}
interface HistoryRow {
  run_id: string
  node_id: string
  kind: string
  outlet: string | null
  detail: string | null
}

export async function readOutcomes(target: string): Promise<Outcomes> {
  const db = openReadDb(target)
  try {
    const runs = await db.all<RunRow>('SELECT r.run_id, r.user_id, j.name, r.status, r.started_at FROM runs r JOIN journeys j ON j.id = r.journey_id ORDER BY j.name, r.started_at, r.run_id')
    const paths = new Map<string, string[]>()
    const timeoutsByRun = new Map<string, number>()
    let timeouts = 0
    for (const h of await db.all<HistoryRow>('SELECT run_id, node_id, kind, outlet, detail FROM history ORDER BY id')) {
      if (h.kind === 'webhook' && h.detail !== null && h.detail.includes('"attempt"')) continue
      const list = paths.get(h.run_id) ?? []
      list.push(`${h.kind}:${h.node_id}>${h.outlet ?? ''}`)
      paths.set(h.run_id, list)
      if (h.kind === 'timeout') {
        timeouts++
        const key = `${h.run_id}/${h.node_id}`
        timeoutsByRun.set(key, (timeoutsByRun.get(key) ?? 0) + 1)
      }
    }
    const byUser = new Map<string, string[]>()
    let active = 0
    for (const r of runs) {
      if (r.status === 'active') active++
      const list = byUser.get(r.user_id) ?? []
      list.push(`${r.name}|${r.status}|${(paths.get(r.run_id) ?? []).join(' ')}`)
      byUser.set(r.user_id, list)
    }
    const traits = new Map((await db.all<{ user_id: string; traits: string }>('SELECT user_id, traits FROM users')).map((u) => [u.user_id, u.traits]))
    return {
      byUser,
      traits,
      runs: runs.length,
      activeRuns: active,
      timersLeft: await count(db, 'SELECT count(*) AS n FROM timers'),
      outboxLeft: await count(db, 'SELECT count(*) AS n FROM outbox'),
      doubleFired: [...timeoutsByRun].filter(([, n]) => n > 1).map(([k]) => k),
      timeouts,
    }
  } finally {
    await db.close()
  }
}
