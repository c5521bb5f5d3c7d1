import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createSecretBox } from '@switchyard/secrets'
import type { WebhookJob } from '@switchyard/schema'
import { createWebhookService } from '@switchyard/webhooks'
import { openDatabase, systemClock } from '@switchyard/engine'
import { REPO } from './server'
import { progress, round, tempDir } from './util'

export interface WebhookResult {
  deliveries: number
  seconds: number
  deliveriesPerSecond: number
  requests: number
  batchSize: number
  concurrency: number
}

function job(i: number, webhookId: string, now: number): WebhookJob {
  return {
    kind: 'webhook',
    id: `dlv_bench_${i}`,
    webhookId,
    params: ['event.timestamp', 'user.traits.EMAIL', 'user.traits.CITY'],
    customParams: { Action: 'RCS Click' },
    body: { kind: 'activity' },
    context: {
      workspace: 'bench',
      journey: { id: 'jny_bench', name: 'Cart abandoners', version: 1 },
      runId: `run_${i}`,
      nodeId: 'hook',
      user: { id: `user-${i}`, traits: { EMAIL: `u${i}@example.com`, CITY: 'Pune' } },
      event: { name: 'rcs.clicked', properties: { messageId: `msg_${i}` }, messageId: `click-${i}`, timestamp: new Date(now).toISOString() },
      message: { id: `msg_${i}`, channel: 'rcs', status: 'clicked' },
    },
    createdAt: now,
  }
}

/**
 * (7) Webhook deliveries: `@switchyard/webhooks`' service (the one the server runs, with its
 * address guard, signing, retries and durable queue) drains `count` queued journey deliveries
 * to a keep-alive receiver in another process. Counted when the service records them delivered.
 */
export async function webhookDeliveries(count: number, options: { batchSize?: number; concurrency?: number } = {}): Promise<WebhookResult> {
  const receiver = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'bench/src/receiver.ts')], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve) => receiver.stdout?.once('data', (d: Buffer) => resolve(Number(JSON.parse(d.toString()).port))))
  const tmp = tempDir('webhooks')
  const db = openDatabase(tmp.file)
  let delivered = 0
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => (done = resolve))
  const service = await createWebhookService({
    backend: { kind: 'sqlite', db },
    secretBox: createSecretBox('bench-secret-key-0123456789'),
    clock: systemClock,
    workspace: 'bench',
    allowPrivate: ['127.0.0.0/8'],
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    pollIntervalMs: 50,
    onAttempt: (delivery) => {
      if (delivery.status === 'delivered' && ++delivered >= count) done()
    },
  })
  const created = await service.create({ name: 'bench receiver', url: `http://127.0.0.1:${port}/hook` })
  if (!created.ok) throw new Error(`webhooks: ${created.message}`)
  const now = Date.now()
  for (let i = 0; i < count; i++) {
    const r = await service.enqueue(job(i, created.value.id, now))
    if (!r.ok) throw new Error(`webhooks: ${r.message}`)
  }
  progress(`  ${count} deliveries queued; draining...`)
  const t0 = performance.now()
  service.start()
  const timeout = setTimeout(done, 120_000)
  await finished
  clearTimeout(timeout)
  const seconds = (performance.now() - t0) / 1000
  await service.stop()
  const exited = once(receiver, 'exit')
  let requests = 0
  receiver.stdout?.on('data', (d: Buffer) => {
    const m = /"requests":(\d+)/.exec(d.toString())
    if (m?.[1]) requests = Number(m[1])
  })
  receiver.kill('SIGTERM')
  await exited
  db.close()
  tmp.cleanup()
  return { deliveries: delivered, seconds: round(seconds, 2), deliveriesPerSecond: round(delivered / seconds), requests, batchSize: options.batchSize ?? 50, concurrency: options.concurrency ?? 4 }
}
