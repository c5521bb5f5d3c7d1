import Database from 'better-sqlite3'
import { describe } from 'vitest'
import { eachBackend, emptyTables, runJoined } from '@switchyard/storage/testing'
import { CHANNEL_TABLES, testBox } from '../test-support'
import { messageStoreContract, type MessageStoreUnderTest } from './message-store.contract'
import { CHANNEL_MIGRATIONS, migrateChannels } from './migrations'
import { createPostgresMessageStore } from './postgres-message-store'
import { createPostgresProviderStore } from './postgres-provider-store'
import { providerStoreContract, type ProviderStoreUnderTest } from './provider-store.contract'
import { createSqliteMessageStore } from './sqlite-message-store'
import { createSqliteProviderStore } from './sqlite-provider-store'

/** A clock the contract sets. */
function settable() {
  let t = 0
  return { now: () => t, setNow: (ms: number) => void (t = ms) }
}

function sqlite() {
  const db = new Database(':memory:')
  migrateChannels(db, 0)
  return db
}

describe('MessageStore', () => {
  eachBackend<MessageStoreUnderTest>(
    'message-store',
    {
      sqlite: async () => {
        const clock = settable()
        const db = sqlite()
        return { store: createSqliteMessageStore(db, clock.now), setNow: clock.setNow, joined: (w, o) => runJoined({ kind: 'sqlite', db }, w, o) }
      },
      postgres: async (pool) => {
        await emptyTables(pool, CHANNEL_MIGRATIONS, CHANNEL_TABLES)
        const clock = settable()
        return { store: createPostgresMessageStore(pool, clock.now), setNow: clock.setNow, joined: (w, o) => runJoined({ kind: 'postgres', pool }, w, o) }
      },
    },
    messageStoreContract,
  )
})

describe('ProviderStore', () => {
  eachBackend<ProviderStoreUnderTest>(
    'provider-store',
    {
      sqlite: async () => {
        const clock = settable()
        const db = sqlite()
        return { store: createSqliteProviderStore(db, testBox, clock.now), setNow: clock.setNow, rawRows: async () => JSON.stringify(db.prepare('SELECT * FROM channel_providers').all()) }
      },
      postgres: async (pool) => {
        await emptyTables(pool, CHANNEL_MIGRATIONS, CHANNEL_TABLES)
        const clock = settable()
        return { store: createPostgresProviderStore(pool, testBox, clock.now), setNow: clock.setNow, rawRows: async () => JSON.stringify((await pool.query('SELECT * FROM channel_providers')).rows) }
      },
    },
    providerStoreContract,
  )
})
