import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { api, REPO, startServer } from './server'
import { progress, round, sleep, tempDir } from './util'

export interface SoakSample {
  second: number
  fileBytes: number
  walBytes: number
  journalRows: number
  historyRows: number
  accepted: number
}

export interface SoakResult {
  minutes: number
  eventsPerSecond: number
  accepted: number
  failedRequests: number
  samples: SoakSample[]
  /** Growth of file + WAL over the second half of the run: see `secondHalfGrowth`. */
  secondHalfGrowth: number
  peakBytes: number
  endBytes: number
  levelsOff: boolean
}

const bytes = (path: string): number => {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

const gauge = (text: string, name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0)

/**
 * Steady load on a real server with one-minute retention: a pool of users re-enters a journey
 * that sends one message each time, `rate` events a second in batches, for `minutes`. Every 10 s
 * it samples the database file, its WAL and the journal and history rows; the file should level
 * off once retention deletes as much as the load adds.
 */
export async function soak(minutes: number, rate = 200, users = 5_000): Promise<SoakResult> {
  const { dir, file, cleanup } = tempDir('soak')
  const server = await startServer(file, { JOURNAL_RETENTION: '1m', HISTORY_RETENTION: '1m', DEDUPE_WINDOW: '2m' })
  try {
    const journey = {
      name: 'Soak: one message per entry',
      settings: { reentry: 'always' },
      graph: {
        nodes: [
          { id: 't', type: 'trigger', position: { x: 0, y: 0 }, data: { event: 'Soak' } },
          { id: 'm', type: 'action', position: { x: 0, y: 140 }, data: { channel: 'sms', message: { text: 'Hi {{ user.id }}' } } },
          { id: 'x', type: 'exit', position: { x: 0, y: 280 }, data: {} },
        ],
        edges: [
          { id: 'e1', source: 't', target: 'm', sourceHandle: 'next' },
          { id: 'e2', source: 'm', target: 'x', sourceHandle: 'next' },
        ],
      },
    }
    const created = await api(server.url, 'POST', '/api/journeys', journey)
    const id = created.json !== null && typeof created.json === 'object' && 'id' in created.json ? String(created.json.id) : ''
    if ((await api(server.url, 'POST', `/api/journeys/${id}/publish`)).status !== 200) throw new Error('the soak journey did not publish')

    const samples: SoakSample[] = []
    const started = Date.now()
    const end = started + minutes * 60_000
    let accepted = 0
    let failed = 0
    let next = 0
    const perBatch = 100
    const sample = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text()
      const s: SoakSample = {
        second: Math.round((Date.now() - started) / 1000),
        fileBytes: bytes(file),
        walBytes: bytes(`${file}-wal`),
        journalRows: gauge(text, 'switchyard_journal_rows'),
        historyRows: gauge(text, 'switchyard_history_rows'),
        accepted,
      }
      samples.push(s)
      progress(`soak ${s.second}s: file ${round(s.fileBytes / 2 ** 20, 1)} MB, WAL ${round(s.walBytes / 2 ** 20, 1)} MB, journal ${s.journalRows}, history ${s.historyRows}, accepted ${accepted}`)
    }
    await sample()
    let nextSample = started + 10_000
    while (Date.now() < end) {
      const tick = Date.now()
      const batch = Array.from({ length: perBatch }, () => ({ type: 'track', userId: `user-${next++ % users}`, event: 'Soak' }))
      const res = await fetch(`${server.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch }) })
      await res.arrayBuffer()
      if (res.ok) accepted += perBatch
      else failed += 1
      if (Date.now() >= nextSample) {
        await sample()
        nextSample += 10_000
      }
      // One batch every perBatch/rate seconds keeps the rate steady.
      await sleep(Math.max(0, (perBatch / rate) * 1000 - (Date.now() - tick)))
    }
    await sample()

    const total = (s: SoakSample) => s.fileBytes + s.walBytes
    const last = samples[samples.length - 1]
    const growth = secondHalfGrowth(samples)
    const seconds = (Date.now() - started) / 1000
    const result: SoakResult = {
      minutes,
      eventsPerSecond: Math.round(accepted / seconds),
      accepted,
      failedRequests: failed,
      samples,
      secondHalfGrowth: round(growth, 3),
      peakBytes: Math.max(...samples.map(total)),
      endBytes: last ? total(last) : 0,
      levelsOff: growth < 0.1,
    }
    writeFileSync(join(REPO, 'bench/soak.svg'), soakSvg(result))
    writeFileSync(join(REPO, 'bench/soak.json'), `${JSON.stringify(result, null, 2)}\n`)
    return result
  } finally {
    await server.stop()
    cleanup()
    void dir
  }
}

/**
 * How much file + WAL grew over the second half of the run. Retention passes once a minute, so
 * the size is a saw tooth; its peaks are compared, not two samples at arbitrary phases: the
 * highest size in the last quarter against the highest in the quarter before it.
 */
export function secondHalfGrowth(samples: readonly SoakSample[]): number {
  const end = samples[samples.length - 1]?.second ?? 0
  const peak = (from: number, to: number) => Math.max(0, ...samples.filter((s) => s.second >= from && s.second <= to).map((s) => s.fileBytes + s.walBytes))
  const third = peak(end * 0.5, end * 0.75)
  return third === 0 ? 0 : round((peak(end * 0.75, end) - third) / third, 3)
}

/** A plain SVG line chart of file and WAL size over time, so the README can show it. */
export function soakSvg(r: SoakResult): string {
  const W = 720
  const H = 350
  const pad = { left: 60, right: 20, top: 30, bottom: 64 }
  const maxX = Math.max(1, ...r.samples.map((s) => s.second))
  const mb = (b: number) => b / 2 ** 20
  const maxY = Math.max(1, ...r.samples.map((s) => mb(s.fileBytes + s.walBytes))) * 1.1
  const x = (sec: number) => pad.left + (sec / maxX) * (W - pad.left - pad.right)
  const y = (v: number) => H - pad.bottom - (v / maxY) * (H - pad.top - pad.bottom)
  const line = (pick: (s: SoakSample) => number, color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${r.samples.map((s) => `${round(x(s.second), 1)},${round(y(mb(pick(s))), 1)}`).join(' ')}"/>`
  const ticksY = Array.from({ length: 5 }, (_, i) => (maxY / 4) * i)
  const ticksX = Array.from({ length: 6 }, (_, i) => (maxX / 5) * i)
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${pad.left}" y="18" font-size="14">Database size under steady load (${r.eventsPerSecond} events/s, retention 1 min)</text>
${ticksY.map((v) => `<line x1="${pad.left}" x2="${W - pad.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/><text x="${pad.left - 6}" y="${y(v) + 4}" text-anchor="end">${round(v, 1)} MB</text>`).join('\n')}
${ticksX.map((v) => `<text x="${x(v)}" y="${H - pad.bottom + 18}" text-anchor="middle">${Math.round(v / 60)} min</text>`).join('\n')}
${line((s) => s.fileBytes + s.walBytes, '#2563eb')}
${line((s) => s.fileBytes, '#16a34a')}
${line((s) => s.walBytes, '#f59e0b')}
<text x="${pad.left}" y="${H - 12}" fill="#2563eb">━ file + WAL</text>
<text x="${pad.left + 110}" y="${H - 12}" fill="#16a34a">━ file</text>
<text x="${pad.left + 180}" y="${H - 12}" fill="#f59e0b">━ WAL (checkpointed every 40 MB, never left over 64 MB)</text>
</svg>
`
}
