import type { SecretBox } from '@switchyard/secrets'
import { migratePostgres, type StoreBackend } from '@switchyard/storage'
import type { MessageStore } from './message-store'
import { CHANNEL_MIGRATIONS, migrateChannels } from './migrations'
import { createPostgresMessageStore } from './postgres-message-store'
import { createPostgresProviderStore } from './postgres-provider-store'
import type { ProviderStore } from './provider-store'
import { createSqliteMessageStore } from './sqlite-message-store'
import { createSqliteProviderStore } from './sqlite-provider-store'

/** Migrates the channels tables of a backend and answers its stores. */
export async function openChannelStores(backend: StoreBackend, secretBox: SecretBox, now: () => number): Promise<{ providers: ProviderStore; messages: MessageStore }> {
  if (backend.kind === 'sqlite') {
    migrateChannels(backend.db, now())
    return { providers: createSqliteProviderStore(backend.db, secretBox, now), messages: createSqliteMessageStore(backend.db, now) }
  }
  await migratePostgres(backend.pool, [CHANNEL_MIGRATIONS], now())
  return { providers: createPostgresProviderStore(backend.pool, secretBox, now), messages: createPostgresMessageStore(backend.pool, now) }
}
