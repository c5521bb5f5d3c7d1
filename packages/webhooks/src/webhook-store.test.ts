import { migratePostgres } from '@switchyard/storage'
import { postgresPerFile } from '@switchyard/storage/testing'
import Database from 'better-sqlite3'
import { describe } from 'vitest'
import { WEBHOOK_MIGRATIONS, migrate } from './migrations'
import { createPostgresWebhookStore } from './postgres-webhook-store'
import { createSqliteWebhookStore } from './sqlite-webhook-store'
import { webhookStoreContract } from './webhook-store.contract'

describe('WebhookStore on SQLite', () => {
  webhookStoreContract(async () => {
    const db = new Database(':memory:')
    migrate(db, 0)
    return { store: createSqliteWebhookStore(db), exec: async (sql) => void db.exec(sql) }
  })
})

describe('WebhookStore on PostgreSQL', () => {
  const pg = postgresPerFile('webhook-store')
  webhookStoreContract(async () => {
    await migratePostgres(pg.pool, [WEBHOOK_MIGRATIONS], 0)
    await pg.pool.query('TRUNCATE webhooks, webhook_deliveries, webhook_attempts, webhook_alerts RESTART IDENTITY')
    return { store: createPostgresWebhookStore(pg.pool), exec: async (sql) => void (await pg.pool.query(sql)) }
  })
})
