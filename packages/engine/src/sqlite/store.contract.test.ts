import Database from 'better-sqlite3'
import { afterEach } from 'vitest'
import { engineStoreContract } from '../store-contract'
import { SqliteRetention } from './retention'
import { SqliteEngineStore } from './store'

const open: SqliteEngineStore[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

engineStoreContract('sqlite', async () => {
  const store = new SqliteEngineStore(new Database(':memory:'), 0)
  open.push(store)
  return { store, retention: (policy) => new SqliteRetention(store, policy) }
})
