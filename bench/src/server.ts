import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..')
const TSX = ['--import', 'tsx']
/** BENCH_PROFILE=<dir>: each server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools). */
const PROFILE = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []

export interface ServerProcess {
  url: string
  child: ChildProcess
  /** Milliseconds from spawn to the "running at" line. */
  startedMs: number
  stop(): Promise<void>
}

/** The real server (`apps/server/src/main.ts`) in its own process, on 127.0.0.1 and a free port; a SQLite file or a `postgres://` URL. */
export async function startServer(databaseFile: string, extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  const t0 = performance.now()
  const child = spawn(process.execPath, [...PROFILE, ...TSX, join(REPO, 'apps/server/src/main.ts')], {
    cwd: REPO,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATABASE_URL: databaseFile.startsWith('postgres') ? databaseFile : `sqlite:${databaseFile}`, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out: string | null = ''
  let err = ''
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString()
    if (err.length > 20_000) err = err.slice(-10_000)
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s: ${err.slice(-2000)}`)), 60_000)
    child.stdout?.on('data', (d: Buffer) => {
      // Only until the line is seen: the server may log a line per message after it.
      if (out === null) return
      out += d.toString()
      const m = /running at (http:\/\/\S+)/.exec(out)
      if (m?.[1]) {
        out = null
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}: ${err.slice(-2000)}`))
    })
  })
  const startedMs = performance.now() - t0
  return {
    url,
    child,
    startedMs,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Runs a TypeScript file of this package in a child process and returns its last stdout line as JSON. */
export async function runChild<T>(file: string, args: string[], onLine?: (line: string) => void): Promise<T> {
  const child = spawn(process.execPath, ['--expose-gc', ...TSX, join(REPO, 'bench', file), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  const lines: string[] = []
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
    for (;;) {
      const i = out.indexOf('\n')
      if (i < 0) break
      const line = out.slice(0, i)
      out = out.slice(i + 1)
      lines.push(line)
      onLine?.(line)
    }
  })
  const [code] = await once(child, 'exit')
  const last = lines.filter((l) => l.startsWith('{')).pop()
  if (code !== 0 || last === undefined) throw new Error(`${file} exited with ${String(code)}`)
  return JSON.parse(last)
}

export async function api(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  let json: unknown = null
  try {
    json = JSON.parse(text)
  } catch {
    json = text
  }
  return { status: res.status, json }
}
