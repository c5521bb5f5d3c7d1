import type Database from 'better-sqlite3'
import { migrateSqlite, type ComponentMigrations, type PostgresStep, type SqliteStep } from '@switchyard/storage'

/** Ordered and append-only: a released migration is never edited, a new one is added. */
export const CHANNEL_SQLITE_MIGRATIONS: readonly SqliteStep[] = [
  {
    version: 1,
    name: 'providers and the messages sent through them',
    up(db) {
      db.exec(`
        CREATE TABLE channel_providers (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          channel TEXT NOT NULL,
          kind TEXT NOT NULL,
          is_default INTEGER NOT NULL DEFAULT 0,
          config TEXT NOT NULL,
          secrets TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX channel_providers_channel ON channel_providers(channel, is_default);

        CREATE TABLE channel_messages (
          id TEXT PRIMARY KEY,
          provider_id TEXT NOT NULL,
          provider_kind TEXT NOT NULL,
          channel TEXT NOT NULL,
          user_id TEXT NOT NULL,
          journey_id TEXT,
          run_id TEXT,
          node_id TEXT,
          recipient TEXT,
          content TEXT,
          status TEXT NOT NULL,
          provider_message_id TEXT,
          error TEXT,
          attempts INTEGER NOT NULL DEFAULT 0,
          last_activity TEXT,
          last_activity_at INTEGER,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          sent_at INTEGER
        );
        CREATE INDEX channel_messages_provider_id ON channel_messages(provider_message_id);
        CREATE INDEX channel_messages_user ON channel_messages(user_id, channel, sent_at);
      `)
    },
  },
  {
    version: 2,
    name: 'messages by creation time, for retention',
    up(db) {
      db.exec('CREATE INDEX channel_messages_created ON channel_messages(created_at)')
    },
  },
]

export const MIGRATION_COMPONENT = 'channels'

/**
 * The same tables on PostgreSQL, starting at SQLite's current shape. Times are BIGINT epoch ms,
 * flags 0/1 and JSON text, as on SQLite, so both backends' rows parse alike.
 */
export const CHANNEL_POSTGRES_MIGRATIONS: readonly PostgresStep[] = [
  {
    version: 1,
    name: 'providers and the messages sent through them',
    up: `
      CREATE TABLE channel_providers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL,
        is_default INTEGER NOT NULL DEFAULT 0,
        config TEXT NOT NULL,
        secrets TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX channel_providers_channel ON channel_providers (channel, is_default);
      CREATE TABLE channel_messages (
        id TEXT PRIMARY KEY,
        provider_id TEXT NOT NULL,
        provider_kind TEXT NOT NULL,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        journey_id TEXT,
        run_id TEXT,
        node_id TEXT,
        recipient TEXT,
        content TEXT,
        status TEXT NOT NULL,
        provider_message_id TEXT,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_activity TEXT,
        last_activity_at BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        sent_at BIGINT
      );
      CREATE INDEX channel_messages_provider_id ON channel_messages (provider_message_id);
      CREATE INDEX channel_messages_user ON channel_messages (user_id, channel, sent_at);
      CREATE INDEX channel_messages_created ON channel_messages (created_at);
      -- A journey's figures read its messages by step.
      CREATE INDEX channel_messages_journey ON channel_messages (journey_id, node_id);
    `,
  },
]

/** The channels tables on each backend, applied by the shared runner under the component `channels`. */
export const CHANNEL_MIGRATIONS: ComponentMigrations = { component: MIGRATION_COMPONENT, sqlite: CHANNEL_SQLITE_MIGRATIONS, postgres: CHANNEL_POSTGRES_MIGRATIONS }

/** Applies the channels steps a SQLite database has not recorded; returns their versions. */
export function migrateChannels(db: Database.Database, now: number): number[] {
  return migrateSqlite(db, CHANNEL_MIGRATIONS, now)
}
