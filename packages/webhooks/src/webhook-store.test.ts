import { eachBackend, emptyTables } from '@switchyard/storage/testing'
import Database from 'better-sqlite3'
import { WEBHOOK_MIGRATIONS, migrate } from './migrations'
import { createPostgresWebhookStore } from './postgres-webhook-store'
import { createSqliteWebhookStore } from './sqlite-webhook-store'
import { WEBHOOK_TABLES } from './testing'
import { type StoreUnderTest, webhookStoreContract } from './webhook-store.contract'

eachBackend<StoreUnderTest>(
  'webhook-store',
  {
    sqlite: async () => {
      const db = new Database(':memory:')
      migrate(db, 0)
      return { store: createSqliteWebhookStore(db), exec: async (sql) => void db.exec(sql) }
    },
    postgres: async (pool) => {
      await emptyTables(pool, WEBHOOK_MIGRATIONS, WEBHOOK_TABLES)
      return { store: createPostgresWebhookStore(pool), exec: async (sql) => void (await pool.query(sql)) }
    },
  },
  webhookStoreContract,
)
