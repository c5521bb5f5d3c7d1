import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { createTestDatabase } from '@switchyard/storage/testing'
import { boot, type Running } from '../src/boot'
import { loadConfig } from '../src/config'
import { silentLogger, type Logger } from '../src/log'

/**
 * Real listening servers for a test file: each test starts its own on a fresh database, and
 * everything it started is stopped after it.
 */
export function liveServers() {
  let running: Running | null = null
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    await running?.stop()
    running = null
    for (const c of cleanups.splice(0).reverse()) await c()
  })
  return {
    /** On a new SQLite file, or a new PostgreSQL database with SWITCHYARD_TEST_BACKEND=postgres; `env` may name its own. */
    async start(env: Record<string, string> = {}, log: Logger = silentLogger): Promise<Running> {
      const dir = mkdtempSync(join(tmpdir(), 'sy-live-'))
      let databaseUrl = `sqlite:${join(dir, 'db', 'switchyard.db')}`
      if (process.env.SWITCHYARD_TEST_BACKEND === 'postgres' && env.DATABASE_URL === undefined) {
        const database = await createTestDatabase('live')
        cleanups.push(() => database.drop())
        databaseUrl = database.url
      }
      running = await boot(loadConfig({ PORT: '0', DATABASE_URL: databaseUrl, DATA_DIR: join(dir, 'data'), ALLOW_PRIVATE_TARGETS: '127.0.0.0/8', ...env }), log)
      return running
    },
    /** Runs after the test, with the server. */
    onCleanup(fn: () => Promise<void>): void {
      cleanups.push(fn)
    },
  }
}

// Answers are read loosely here; their shapes are pinned by the app.request() suites.
export async function http(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  return { status: res.status, json: text === '' ? null : JSON.parse(text) }
}

/** Polls until `ok`, or gives the last value after the timeout (the assertion then says what was seen). */
export async function until<T>(read: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await read()
    if (ok(v) || Date.now() > end) return v
    await new Promise((r) => setTimeout(r, 25))
  }
}
