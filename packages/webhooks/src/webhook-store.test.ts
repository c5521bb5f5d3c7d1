import { describe, expect, it } from 'vitest'
import { eachBackend, emptyTables, runJoined } from '@switchyard/storage/testing'
import Database from 'better-sqlite3'
import { WEBHOOK_MIGRATIONS, migrate } from './migrations'
import { createPostgresWebhookStore } from './postgres-webhook-store'
import { DUE_OF_SQL, createSqliteWebhookStore } from './sqlite-webhook-store'
import { WEBHOOK_TABLES } from './testing'
import { deliveryClaimsContract } from './delivery-claims.contract'
import { type StoreUnderTest, webhookStoreContract } from './webhook-store.contract'

eachBackend<StoreUnderTest>(
  'webhook-store',
  {
    sqlite: async () => {
      const db = new Database(':memory:')
      migrate(db, 0)
      return { store: createSqliteWebhookStore(db), exec: async (sql) => void db.exec(sql), joined: (w, o) => runJoined({ kind: 'sqlite', db }, w, o) }
    },
    postgres: async (pool) => {
      await emptyTables(pool, WEBHOOK_MIGRATIONS, WEBHOOK_TABLES)
      return { store: createPostgresWebhookStore(pool), exec: async (sql) => void (await pool.query(sql)), joined: (w, o) => runJoined({ kind: 'postgres', pool }, w, o) }
    },
  },
  (open) => {
    webhookStoreContract(open)
    deliveryClaimsContract(open)
  },
)

describe('a claim on SQLite', () => {
  it('reads a webhook\'s waiting deliveries through an index in due order, sorting none of them', async () => {
    const db = new Database(':memory:')
    migrate(db)
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${DUE_OF_SQL}`)
      .all('wh', 0, 50)
      .map((r) => String((r as { detail: unknown }).detail))
    expect(plan.join('\n')).toContain('USING INDEX webhook_deliveries_waiting')
    expect(plan.join('\n')).not.toContain('TEMP B-TREE')
    db.close()
  })
})
