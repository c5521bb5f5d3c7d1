import Database from 'better-sqlite3'
import { describe } from 'vitest'
import { migratePostgres } from '@switchyard/storage'
import { postgresPerFile } from '@switchyard/storage/testing'
import { testBox } from '../test-support'
import { messageStoreContract } from './message-store.contract'
import { CHANNEL_MIGRATIONS, migrateChannels } from './migrations'
import { createPostgresMessageStore } from './postgres-message-store'
import { createPostgresProviderStore } from './postgres-provider-store'
import { providerStoreContract } from './provider-store.contract'
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

describe('channel stores on SQLite', () => {
  describe('MessageStore', () => {
    messageStoreContract(async () => {
      const clock = settable()
      return { store: createSqliteMessageStore(sqlite(), clock.now), setNow: clock.setNow }
    })
  })
  describe('ProviderStore', () => {
    providerStoreContract(async () => {
      const clock = settable()
      const db = sqlite()
      return { store: createSqliteProviderStore(db, testBox, clock.now), setNow: clock.setNow, rawRows: async () => JSON.stringify(db.prepare('SELECT * FROM channel_providers').all()) }
    })
  })
})

describe('channel stores on PostgreSQL', () => {
  const pg = postgresPerFile('channel-stores')
  const fresh = async () => {
    await migratePostgres(pg.pool, [CHANNEL_MIGRATIONS], 0)
    await pg.pool.query('TRUNCATE channel_messages, channel_providers')
  }
  describe('MessageStore', () => {
    messageStoreContract(async () => {
      await fresh()
      const clock = settable()
      return { store: createPostgresMessageStore(pg.pool, clock.now), setNow: clock.setNow }
    })
  })
  describe('ProviderStore', () => {
    providerStoreContract(async () => {
      await fresh()
      const clock = settable()
      return {
        store: createPostgresProviderStore(pg.pool, testBox, clock.now),
        setNow: clock.setNow,
        rawRows: async () => JSON.stringify((await pg.pool.query('SELECT * FROM channel_providers')).rows),
      }
    })
  })
})
