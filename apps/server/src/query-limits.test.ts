import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { boot, type Running } from './boot'
import { loadConfig } from './config'
import { silentLogger } from './log'

let running: Running
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-query-'))
  running = await boot(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}` }), silentLogger)
})
afterAll(async () => {
  await running.stop()
})

const get = async (path: string) => {
  const res = await fetch(`${running.url}${path}`)
  const body = z.object({ error: z.object({ code: z.string() }) }).safeParse(await res.json())
  return { status: res.status, code: body.success ? body.data.error.code : null }
}

describe('list queries', () => {
  it('answers an unreadable limit with a 400 query.invalid, not a 500', async () => {
    const hook = await fetch(`${running.url}/api/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Nowhere', url: 'http://127.0.0.1:9/hook' }),
    }).then(async (r) => z.object({ id: z.string() }).parse(await r.json()))
    for (const path of [`/api/webhooks/${hook.id}/deliveries?limit=1e400`, `/api/webhooks/${hook.id}/alerts?limit=-0.5`, '/api/channels/messages?limit=NaN']) {
      const r = await get(path)
      expect({ path, status: r.status, code: r.code }).toEqual({ path, status: 400, code: 'query.invalid' })
    }
  })
})
