/**
 * Test fixture for crash.test.ts: a process that commits a webhook delivery to the outbox, claims
 * it, and hangs at the moment of sending, so the test can kill it with SIGKILL right there.
 */
import { createSecretBox } from '@switchyard/secrets'
import Database from 'better-sqlite3'
import { sampleJob } from './testing'
import { createWebhookService } from './webhook-service'

const [dbPath, url] = process.argv.slice(2)
if (dbPath === undefined || url === undefined) throw new Error('usage: crash-child <db> <url>')
const db = new Database(dbPath)
db.pragma('journal_mode = WAL')
const service = await createWebhookService({
  backend: { kind: 'sqlite', db },
  secretBox: createSecretBox('test-secret-key-0123456789'),
  clock: { now: () => Date.now() },
  workspace: 'acme_prod',
  allowPrivate: ['127.0.0.0/8'],
  transport: {
    send: () => {
      process.stdout.write('SENDING\n')
      // A pending promise alone does not keep Node alive: hold the process open until the kill,
      // or a slow parent sees it exit with 0 instead.
      setInterval(() => undefined, 60_000)
      return new Promise(() => undefined)
    },
    close: async () => undefined,
  },
})
const created = await service.create({ name: 'CRM', url })
if (!created.ok) throw new Error(created.message)
await service.enqueue(sampleJob(created.value.id, { id: 'dlv_crash' }))
process.stdout.write(`WEBHOOK ${created.value.id}\n`)
void service.tick()
