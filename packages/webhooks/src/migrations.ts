import type Database from 'better-sqlite3'
import { migrateSqlite, type ComponentMigrations, type PostgresStep, type SqliteStep } from '@switchyard/storage'

export const COMPONENT = 'webhooks'

/**
 * A claim reads one webhook's waiting deliveries in due order (`dueOf`). The (status,
 * next_attempt_at) index left every waiting row of the webhook to sort for each claim: with
 * 50,000 queued a claim took 6.8 ms, 1.8 s of the HTTP thread in a 50,000-user end-to-end run.
 */
const WAITING_INDEX = `CREATE INDEX webhook_deliveries_waiting ON webhook_deliveries (webhook_id, next_attempt_at, created_at, id) WHERE status IN ('pending', 'failed')`

/**
 * The webhooks tables, in order. Append only: a shipped migration never changes, a change to the
 * schema is a new version.
 */
export const WEBHOOK_SQLITE_MIGRATIONS: readonly SqliteStep[] = [
  {
    version: 1,
    name: 'webhooks, deliveries, attempts',
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
  {
    version: 2,
    name: 'waiting deliveries by webhook, in due order',
    up(db) {
      db.exec(WAITING_INDEX)
    },
  },
]

/**
 * The same tables on PostgreSQL, starting at SQLite's current shape. Times are BIGINT epoch ms,
 * flags 0/1 and JSON text, as on SQLite, so both backends' rows parse alike.
 */
export const WEBHOOK_POSTGRES_MIGRATIONS: readonly PostgresStep[] = [
  {
    version: 1,
    name: 'webhooks, deliveries, attempts, alerts',
    up: `
      CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        config TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        test_status TEXT NOT NULL DEFAULT 'untested',
        last_tested_at BIGINT,
        state TEXT NOT NULL DEFAULT 'active',
        paused_until BIGINT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        webhook_id TEXT NOT NULL,
        source TEXT NOT NULL,
        job TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        replay_base INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT,
        batch_id TEXT,
        last_status INTEGER,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      -- The claim's scan: only waiting rows, per endpoint, by due time.
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook_id, next_attempt_at) WHERE status IN ('pending', 'failed');
      CREATE INDEX webhook_deliveries_delivering ON webhook_deliveries (updated_at) WHERE status = 'delivering';
      CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at);
      CREATE INDEX webhook_deliveries_by_batch ON webhook_deliveries (batch_id) WHERE batch_id IS NOT NULL;
      CREATE TABLE webhook_attempts (
        delivery_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        webhook_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        status INTEGER,
        duration_ms INTEGER NOT NULL,
        error TEXT,
        PRIMARY KEY (delivery_id, attempt)
      );
      CREATE INDEX webhook_attempts_by_webhook ON webhook_attempts (webhook_id);
      CREATE TABLE webhook_alerts (
        id BIGSERIAL PRIMARY KEY,
        webhook_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        at BIGINT NOT NULL,
        notified_at BIGINT
      );
      CREATE INDEX webhook_alerts_by_webhook ON webhook_alerts (webhook_id, at);
    `,
  },
  {
    version: 2,
    name: 'waiting deliveries by webhook, in due order',
    up: WAITING_INDEX,
  },
]

/** The webhooks tables on each backend, applied by the shared runner under the component `webhooks`. */
export const WEBHOOK_MIGRATIONS: ComponentMigrations = { component: 'webhooks', sqlite: WEBHOOK_SQLITE_MIGRATIONS, postgres: WEBHOOK_POSTGRES_MIGRATIONS }

/** Applies the webhooks steps a SQLite database has not recorded; returns their versions. */
export function migrate(db: Database.Database, now: number = Date.now()): number[] {
  return migrateSqlite(db, WEBHOOK_MIGRATIONS, now)
}
