import type { Database } from 'better-sqlite3'

export interface Migration {
  version: number
  description: string
  up(db: Database): void
}

/** Ordered and append-only: a released migration is never edited, a new one is added. */
export const CHANNEL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'providers and the messages sent through them',
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
    description: 'messages by creation time, for retention',
    up(db) {
      db.exec('CREATE INDEX channel_messages_created ON channel_messages(created_at)')
    },
  },
]

export const MIGRATION_COMPONENT = 'channels'

/** Applies the channel migrations not yet recorded in the shared `migrations` table. */
export function migrateChannels(db: Database, now: number): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS migrations (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (component, version)
  )`)
  const applied: number[] = []
  db.transaction(() => {
    const done = new Set<number>()
    for (const row of db.prepare('SELECT version FROM migrations WHERE component = ?').all(MIGRATION_COMPONENT)) {
      if (typeof row === 'object' && row !== null && 'version' in row && typeof row.version === 'number') done.add(row.version)
    }
    const record = db.prepare('INSERT INTO migrations (component, version, applied_at) VALUES (?, ?, ?)')
    for (const m of CHANNEL_MIGRATIONS) {
      if (done.has(m.version)) continue
      m.up(db)
      record.run(MIGRATION_COMPONENT, m.version, now)
      applied.push(m.version)
    }
  }).immediate()
  return applied
}
