import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { type Receiver, startReceiver, tempDbPath, testService } from './testing'

let receiver: Receiver | null = null
afterEach(async () => {
  await receiver?.close()
})

/** Runs the fixture until it is about to send, then kills it with SIGKILL. Resolves the webhook id. */
function runAndKill(dbPath: string, url: string): Promise<string> {
  const script = fileURLToPath(new URL('./crash-child.fixture.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script, dbPath, url], { stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    let webhookId = ''
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString()
    })
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      webhookId = /WEBHOOK (\S+)/.exec(out)?.[1] ?? webhookId
      if (out.includes('SENDING')) child.kill('SIGKILL')
    })
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && webhookId !== '') resolve(webhookId)
      else reject(new Error(`child exited ${code} ${signal}: ${err}`))
    })
  })
}

describe('crash between outbox commit and send', () => {
  it('delivers after a restart, with the same webhook-id', async () => {
    receiver = await startReceiver()
    const dbPath = tempDbPath()
    const webhookId = await runAndKill(dbPath, receiver.url)
    expect(receiver.requests).toHaveLength(0)
    const { service, db } = await testService({ dbPath })
    await service.tick()
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(['dlv_crash'])
    expect(await service.deliveries(webhookId)).toMatchObject({ ok: true, value: [{ id: 'dlv_crash', status: 'delivered', attempts: 1 }] })
    await service.close()
    db.close()
  }, 30_000)
})
