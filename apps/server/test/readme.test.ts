import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebhookSink } from '@switchyard/testkit'
import { boot, type Running } from '../src/boot'
import { loadConfig } from '../src/config'
import { silentLogger } from '../src/log'

const ROOT = resolve(import.meta.dirname, '../../..')
let running: Running
const sink = new WebhookSink()

beforeAll(async () => {
  await sink.start()
  const dir = mkdtempSync(join(tmpdir(), 'sy-readme-'))
  running = await boot(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ALLOW_PRIVATE_TARGETS: '127.0.0.0/8' }), silentLogger)
})
afterAll(async () => {
  await running.stop()
  await sink.stop()
})

/** The bash blocks of the README's "Using the API" section, in order, as one script. */
function readmeScript(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Using the API'), readme.indexOf('### Endpoints'))
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n')
}

describe('the README', () => {
  it('has curl examples that work as written', async () => {
    const script = readmeScript()
      .replaceAll('http://127.0.0.1:3000', running.url)
      .replaceAll('127.0.0.1:4000', new URL(sink.url).host)
      // Print each answer on its own line so they can be told apart.
      .replace(/^(curl .*[^\\])$/gm, '$1; echo')
    expect(script).toContain('/v1/track')
    // Async: the server answering these curls runs in this very process.
    const { stdout: out } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(out).toContain('{"version":1,"activeUsersOnOlderVersions":0}')
    expect(out).toContain('{"success":true}')
    expect(out).toMatch(/"wait":\{"entered":1,"active":0,"outlets":\{"matched":1\},"label":"Wait for event"\}/)
    expect(out).toContain('"code":"event.missing_user"')
    expect(out).toContain('"text":"Ravi, your cart is waiting"')
    expect(out).toMatch(/"effects":\{"rcs":\{"messages":1,"webhooks":0\}/)
    expect(out).toContain('{"diff":{"added":[],"removed":[],"changed":[]},"waiting":[],"version":2}')
    expect(sink.received.some((r) => r.path === '/crm' && r.headers.authorization === `Basic ${Buffer.from('switchyard:s3cret').toString('base64')}`)).toBe(true)
  })
})
