/**
 * Starts the real product for browser tests, screenshots and the benchmark: the server as
 * `pnpm start` runs it, on a fresh SQLite file (or, with SWITCHYARD_TEST_BACKEND=postgres, a fresh
 * PostgreSQL database) and a free port, plus a local webhook receiver and Debian's Chromium.
 * Nothing here is mocked.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { createTestDatabase } from '@switchyard/storage/testing'

export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const REPO_ROOT = resolve(WEB_ROOT, '../..')

function portOf(s: Server): number {
  const a = s.address()
  if (a === null || typeof a === 'string') throw new Error('The socket is not listening on TCP.')
  return a.port
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = portOf(s)
      s.close(() => res(port))
    })
    s.on('error', rej)
  })
}

export interface RunningServer {
  url: string
  stop: () => Promise<void>
  logs: () => string
}

/** `node --import tsx apps/server/src/main.ts`, what `pnpm start` runs once the canvas is built. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-e2e-'))
  const port = await freePort()
  const database = process.env.SWITCHYARD_TEST_BACKEND === 'postgres' ? await createTestDatabase('e2e') : null
  let output = ''
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database?.url ?? `sqlite:${join(dir, 'db')}`,
      SECRET_KEY: 'e2e-secret-key-0123456789abcdef',
      ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
      WEB_DIST: join(WEB_ROOT, 'dist'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const url = `http://127.0.0.1:${port}`
  let stopping = false
  const exited = new Promise<void>((res) => child.once('exit', () => res()))
  // A server that dies under a test takes every later test with it: say why, with its last words.
  child.once('exit', (code, signal) => {
    if (!stopping) console.error(`The e2e server exited (code ${code}, signal ${signal}) during the tests; its last output:\n${output.slice(-4000)}`)
  })
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited before it was ready:\n${output}`)
    try {
      const r = await fetch(`${url}/healthz`)
      if (r.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`The server did not answer /healthz within 60 s:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url,
    logs: () => output,
    stop: async () => {
      stopping = true
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        const t = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(t)
      }
      rmSync(dir, { recursive: true, force: true })
      await database?.drop()
    },
  }
}

export interface ReceivedRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
  at: number
}

/** A webhook receiver on loopback that records every request and answers 200. */
export async function startReceiver(): Promise<{ url: string; requests: ReceivedRequest[]; stop: () => Promise<void> }> {
  const requests: ReceivedRequest[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"ok":true}')
    })
  })
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()))
  const port = portOf(server)
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    stop: () => new Promise((res) => server.close(() => res())),
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  })
}

/** Polls until `fn` returns a value that is not undefined/false; the last error or value explains a timeout. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v !== undefined && v !== false) return v
      last = v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${last instanceof Error ? last.message : JSON.stringify(last)}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** JSON over HTTP against the running server; throws with the body on a non-2xx. */
export async function http(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json' } }
  if (body !== undefined) init.body = JSON.stringify(body)
  const r = await fetch(`${base}${path}`, init)
  const text = await r.text()
  if (!r.ok) throw new Error(`${method} ${path} -> ${r.status} ${text}`)
  const parsed: unknown = text ? JSON.parse(text) : null
  return parsed
}

/** The server, a webhook receiver and a Chromium page on it: what a browser test starts with. */
export async function startProduct(viewport = { width: 1280, height: 800 }) {
  const receiver = await startReceiver()
  const server = await startServer()
  const browser = await launchChromium()
  const page = await browser.newPage({ viewport })
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`))
  return {
    server,
    receiver,
    page,
    stop: async () => {
      await browser.close()
      await server.stop()
      await receiver.stop()
    },
  }
}
