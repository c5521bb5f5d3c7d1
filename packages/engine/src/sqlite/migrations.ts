import type { SqliteStep } from '@switchyard/storage'

/**
 * The engine's SQLite steps, applied by the shared runner (`@switchyard/storage`) under the
 * component `engine`. Never edit a shipped step: add the next one.
 */
export const ENGINE_SQLITE_MIGRATIONS: readonly SqliteStep[] = [
  {
    version: 1,
    name: 'journal, journeys, runs, history, timers, outbox, counters',
    up: `
      CREATE TABLE journal (
        seq INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        user_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        received_at INTEGER NOT NULL
      );
      CREATE TABLE engine_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE users (user_id TEXT PRIMARY KEY, traits TEXT NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE journeys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        graph TEXT NOT NULL,
        settings TEXT NOT NULL,
        version INTEGER,
        published_hash TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE journey_versions (
        journey_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        graph TEXT NOT NULL,
        settings TEXT NOT NULL,
        machine TEXT NOT NULL,
        hash TEXT NOT NULL,
        published_at INTEGER NOT NULL,
        PRIMARY KEY (journey_id, version)
      ) WITHOUT ROWID;
      CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        journey_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        status TEXT NOT NULL,
        state_key TEXT NOT NULL,
        current_node_id TEXT,
        context TEXT NOT NULL,
        waiting_until INTEGER,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX runs_user_journey ON runs (user_id, journey_id);
      CREATE INDEX runs_active_user ON runs (user_id) WHERE status = 'active';
      CREATE INDEX runs_journey_active ON runs (journey_id, version, current_node_id) WHERE status = 'active';
      CREATE TABLE history (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        journey_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        node_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        outlet TEXT,
        message_id TEXT,
        detail TEXT
      );
      CREATE INDEX history_run ON history (run_id, id);
      CREATE TABLE timers (
        run_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        journey_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        due_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, node_id)
      ) WITHOUT ROWID;
      CREATE INDEX timers_due ON timers (due_at);
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        job TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX outbox_kind ON outbox (kind, seq);
      CREATE TABLE node_counters (
        journey_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        node_id TEXT NOT NULL,
        metric TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (journey_id, version, node_id, metric)
      ) WITHOUT ROWID;
      CREATE TABLE held_events (
        run_id TEXT NOT NULL,
        journey_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
      CREATE INDEX held_journey ON held_events (journey_id, seq);
    `,
  },
  {
    version: 2,
    name: 'goal watches: runs inside their conversion window',
    up: `
      CREATE TABLE goal_watches (
        run_id TEXT PRIMARY KEY,
        journey_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        entered_at INTEGER NOT NULL,
        deadline INTEGER NOT NULL,
        control INTEGER NOT NULL,
        trigger_message_id TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX goal_watches_user ON goal_watches (user_id);
    `,
  },
  {
    version: 3,
    name: 'outbox rows carry when they may be tried again',
    up: `
      ALTER TABLE outbox ADD COLUMN available_at INTEGER NOT NULL DEFAULT 0;
      DROP INDEX outbox_kind;
      CREATE INDEX outbox_due ON outbox (kind, available_at, seq);
    `,
  },
  {
    version: 4,
    name: 'retention: message ids kept apart from the journal, ended runs by end time',
    up: `
      CREATE TABLE dedupe_keys (message_id TEXT PRIMARY KEY, received_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX dedupe_keys_received ON dedupe_keys (received_at);
      CREATE INDEX runs_ended ON runs (ended_at) WHERE status IN ('completed', 'exited');
    `,
  },
  {
    version: 5,
    name: 'who ever entered each journey, apart from runs, so ended runs can be deleted',
    up: `
      CREATE TABLE entered_journeys (user_id TEXT NOT NULL, journey_id TEXT NOT NULL, PRIMARY KEY (user_id, journey_id)) WITHOUT ROWID;
      INSERT OR IGNORE INTO entered_journeys (user_id, journey_id) SELECT DISTINCT user_id, journey_id FROM runs;
    `,
  },
  {
    version: 6,
    name: 'goal watches keep the outlets a run took where it branched, so a conversion counts for each',
    up: `ALTER TABLE goal_watches ADD COLUMN outlets TEXT;`,
  },
]

