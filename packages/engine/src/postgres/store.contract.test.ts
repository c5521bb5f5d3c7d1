import { engineStoreContract } from '../store-contract'
import { postgresForTests } from '../../test/postgres'
import { OUTBOX_CLAIM_LEASE_MS, PgEngineStore } from './store'
import { PgRetention } from './retention'

const pg = postgresForTests('engine_contract')

engineStoreContract('postgres', async () => {
  const schema = await pg.newSchema()
  const store = await PgEngineStore.open(await pg.pool(schema), 0)
  return {
    store,
    retention: (policy) => new PgRetention(store, policy),
    peer: { open: async () => PgEngineStore.open(await pg.pool(schema), 0), claimLeaseMs: OUTBOX_CLAIM_LEASE_MS },
  }
})
