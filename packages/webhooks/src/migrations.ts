import type { Database } from 'better-sqlite3'
import { z } from 'zod'

export interface Migration {
  version: number
  up(db: Database): void
}

export const COMPONENT = 'webhooks'

/**
 * The webhooks tables, in order. Append only: a shipped migration never changes, a change to the
 * schema is a new version.
 */
export const WEBHOOK_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up(db) {
      db.exec(`
        CREATE TABLE webhooks (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          -- url, encoding, headers, query, timeout, retry, subscriptions and the sealed secrets (JSON, versioned)
          config TEXT NOT NULL,
          enabled INTEGER NOT NULL,
          test_status TEXT NOT NULL DEFAULT 'untested',
          last_tested_at INTEGER,
          state TEXT NOT NULL DEFAULT 'active',
          paused_until INTEGER,
          consecutive_failures INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE webhook_deliveries (
          id TEXT PRIMARY KEY,
          webhook_id TEXT NOT NULL,
          source TEXT NOT NULL,
          job TEXT NOT NULL,
          status TEXT NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          -- attempts made before the last replay; the retry budget counts from here
          replay_base INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER,
          batch_id TEXT,
          last_status INTEGER,
          last_error TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
        CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at);
        CREATE INDEX webhook_deliveries_by_batch ON webhook_deliveries (batch_id);
        CREATE TABLE webhook_attempts (
          delivery_id TEXT NOT NULL,
          attempt INTEGER NOT NULL,
          webhook_id TEXT NOT NULL,
          at INTEGER NOT NULL,
          status INTEGER,
          duration_ms INTEGER NOT NULL,
          error TEXT,
          PRIMARY KEY (delivery_id, attempt)
        );
        CREATE TABLE webhook_alerts (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          webhook_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          message TEXT NOT NULL,
          at INTEGER NOT NULL,
          notified_at INTEGER
        );
        CREATE INDEX webhook_alerts_by_webhook ON webhook_alerts (webhook_id, at);
      `)
    },
  },
]

const AppliedRow = z.object({ version: z.number().int() })

/**
 * Applies the migrations a database has not seen, each in its own transaction with its row in
 * the shared `migrations` table, keyed by (component, version) so that every package of the
 * server can keep its own sequence in the one SQLite file.
 */
export function migrate(db: Database, component: string = COMPONENT, migrations: readonly Migration[] = WEBHOOK_MIGRATIONS, now: number = Date.now()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS migrations (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (component, version)
  )`)
  const applied = new Set(
    db
      .prepare('SELECT version FROM migrations WHERE component = ?')
      .all(component)
      .map((row) => AppliedRow.parse(row).version),
  )
  const ran: number[] = []
  const ordered = [...migrations].sort((a, b) => a.version - b.version)
  for (const migration of ordered) {
    if (applied.has(migration.version)) continue
    db.transaction(() => {
      migration.up(db)
      db.prepare('INSERT INTO migrations (component, version, applied_at) VALUES (?, ?, ?)').run(component, migration.version, now)
    }).immediate()
    ran.push(migration.version)
  }
  return ran
}
