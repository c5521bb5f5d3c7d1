import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { z } from 'zod'

const MAIN = resolve(import.meta.dirname, '../src/main.ts')
const children: ChildProcess[] = []
/** Each child's standard output so far. */
const output = new Map<ChildProcess, string>()
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  await new Promise<void>((r) => server.close(() => r()))
  return address !== null && typeof address === 'object' ? address.port : 0
}

async function startServer(db: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, PORT: String(port), DATABASE_URL: `sqlite:${db}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  await new Promise<void>((resolveUp, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 30_000)
    child.stdout?.on('data', (d: Buffer) => {
      output.set(child, (output.get(child) ?? '') + d.toString())
      if (d.toString().includes('Switchyard is running')) {
        clearTimeout(timer)
        resolveUp()
      }
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  return child
}

describe('SIGTERM', () => {
  it('stops gracefully in the middle of load, and every acknowledged event is stored', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'sy-sigterm-')), 'switchyard.db')
    const port = await freePort()
    const child = await startServer(db, port)
    const acked = new Set<string>()
    let sent = 0
    let stop = false
    const client = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        const batch = Array.from({ length: 20 }, (_, k) => ({ type: 'track', userId: `u${worker}-${k}`, event: 'Ping', messageId: `w${worker}-${i}-${k}` }))
        sent += batch.length
        try {
          const res = await fetch(`http://127.0.0.1:${port}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch }) })
          if (res.status === 200) for (const e of batch) acked.add(e.messageId)
        } catch {
          // The server went away mid-request: not acknowledged, a real client would resend.
          return
        }
      }
    }
    const workers = Array.from({ length: 8 }, (_, w) => client(w))
    await new Promise((r) => setTimeout(r, 700))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    child.kill('SIGTERM')
    const code = await exited
    stop = true
    await Promise.all(workers)
    expect(code).toBe(0)
    // Its stop ran to the end (an exit with nothing left to wait for is code 0 too).
    expect(output.get(child)).toContain('"msg":"switchyard stopped"')
    expect(acked.size).toBeGreaterThan(0)

    const conn = new Database(db, { readonly: true })
    const stored = new Set(conn.prepare<[], { message_id: string }>('SELECT message_id FROM journal').all().map((r) => r.message_id))
    const applied = Number(conn.prepare<[], { value: string }>("SELECT value FROM engine_meta WHERE key = 'applied_seq'").get()?.value ?? 0)
    const head = conn.prepare<[], { seq: number }>('SELECT max(seq) AS seq FROM journal').get()?.seq ?? 0
    conn.close()
    const lost = [...acked].filter((id) => !stored.has(id))
    expect(lost).toEqual([])
    expect(stored.size).toBeLessThanOrEqual(sent)
    // The engine had caught up, or what is left is applied by the next start.
    expect(applied).toBeLessThanOrEqual(head)
    // Whatever was accepted but not applied yet is applied by the next start.
    const again = await startServer(db, port)
    let pending = -1
    for (let i = 0; i < 200 && pending !== 0; i++) {
      const health = z.object({ pendingEvents: z.number() }).parse(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json())
      pending = health.pendingEvents
      if (pending !== 0) await new Promise((r) => setTimeout(r, 50))
    }
    expect(pending).toBe(0)
    again.kill('SIGTERM')
  }, 60_000)
})
