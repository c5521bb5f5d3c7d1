import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hono } from 'hono'
import { Engine, SqliteEngineStore, openDatabase } from '@switchyard/engine'
import { FakeClock } from '@switchyard/testkit'
import { createApp } from '../src/app'
import { silentLogger } from '../src/log'
import { Metrics } from '../src/metrics'
import { RouteRegistry } from '../src/openapi'
import type { Integrations } from '../src/integrations'

export interface TestApp {
  app: Hono
  engine: Engine
  clock: FakeClock
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>
}

export async function testApp(options: { adminToken?: string; writeKey?: string; integrations?: Integrations } = {}): Promise<TestApp> {
  const clock = new FakeClock()
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'sy-server-')), 'switchyard.db'))
  const engine = await Engine.open({ store: new SqliteEngineStore(db, clock.now()), clock, workspace: 'acme' })
  const app = createApp({
    engine,
    config: { adminToken: options.adminToken ?? null, writeKey: options.writeKey ?? null, workspace: 'acme', webDist: '/nonexistent' },
    metrics: new Metrics(),
    log: silentLogger,
    registry: new RouteRegistry(),
    integrations: options.integrations ?? [],
    version: 'test',
  })
  return {
    app,
    engine,
    clock,
    async request(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } }
      if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
      const res = await app.request(path, init)
      const text = await res.text()
      let json: unknown = null
      try {
        json = JSON.parse(text)
      } catch {
        json = null
      }
      return { status: res.status, json, text }
    },
  }
}
