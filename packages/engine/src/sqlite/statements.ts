import type Database from 'better-sqlite3'
import { RUN_COLUMNS, type GoalWatchRow, type HistoryRow, type JournalRow, type JourneyRow, type OutboxRow, type PublishedRow, type RunRow, type TimerRow, type UserRow, type VersionRow } from '../rows'

/** Every statement the SQLite store runs, prepared once when it opens. */
export function prepareStatements(db: Database.Database) {
  const p = <P extends unknown[], R = unknown>(sql: string) => db.prepare<P, R>(sql)
  return {
    insertEvent: p<[string, string, string, string, number, number]>(
      'INSERT OR IGNORE INTO journal (message_id, type, user_id, payload, timestamp, received_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    dedupeKeyExists: p<[string], { found: number }>('SELECT 1 AS found FROM dedupe_keys WHERE message_id = ?'),
    anyDedupeKey: p<[], { found: number }>('SELECT 1 AS found FROM dedupe_keys LIMIT 1'),
    readJournal: p<[number, number], JournalRow>('SELECT * FROM journal WHERE seq > ? ORDER BY seq LIMIT ?'),
    journalBySeqs: p<[string], JournalRow>('SELECT * FROM journal WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq'),
    journalHead: p<[], { seq: number | null }>('SELECT max(seq) AS seq FROM journal'),
    getMeta: p<[string], { value: string }>('SELECT value FROM engine_meta WHERE key = ?'),
    setMeta: p<[string, string]>('INSERT INTO engine_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    usersByIds: p<[string], UserRow>('SELECT user_id, traits FROM users WHERE user_id IN (SELECT value FROM json_each(?))'),
    activeRunsByUsers: p<[string], RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE status = 'active' AND user_id IN (SELECT value FROM json_each(?))`,
    ),
    enteredByUsers: p<[string], { user_id: string; journey_id: string }>(
      'SELECT user_id, journey_id FROM entered_journeys WHERE user_id IN (SELECT value FROM json_each(?))',
    ),
    markEntered: p<[string, string]>('INSERT OR IGNORE INTO entered_journeys (user_id, journey_id) VALUES (?, ?)'),
    runsByIds: p<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id IN (SELECT value FROM json_each(?))`),
    getUser: p<[string], UserRow>('SELECT user_id, traits FROM users WHERE user_id = ?'),
    profileBytes: p<[string], { user_id: string; bytes: number }>('SELECT user_id, length(CAST(traits AS BLOB)) AS bytes FROM users WHERE user_id IN (SELECT value FROM json_each(?))'),
    upsertUser: p<[string, string, number]>(
      'INSERT INTO users (user_id, traits, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET traits = excluded.traits, updated_at = excluded.updated_at',
    ),
    upsertRun: p<[string, string, number, string, string, string, string | null, string, number | null, number, number | null, number]>(
      `INSERT INTO runs (${RUN_COLUMNS}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id) DO UPDATE SET version = excluded.version, status = excluded.status, state_key = excluded.state_key,
         current_node_id = excluded.current_node_id, context = excluded.context, waiting_until = excluded.waiting_until,
         ended_at = excluded.ended_at, updated_at = excluded.updated_at`,
    ),
    insertHistory: p<[string, string, number, string, string, string | null, string | null, string | null]>(
      'INSERT INTO history (run_id, journey_id, at, node_id, kind, outlet, message_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertOutbox: p<[string, string, string, number]>('INSERT OR IGNORE INTO outbox (id, kind, job, created_at) VALUES (?, ?, ?, ?)'),
    setTimer: p<[string, string, string, string, number]>(
      'INSERT INTO timers (run_id, node_id, journey_id, user_id, due_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, node_id) DO UPDATE SET due_at = excluded.due_at',
    ),
    clearTimer: p<[string, string]>('DELETE FROM timers WHERE run_id = ? AND node_id = ?'),
    bumpCounter: p<[string, number, string, string, number]>(
      'INSERT INTO node_counters (journey_id, version, node_id, metric, count) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count',
    ),
    hold: p<[string, string, number]>('INSERT OR IGNORE INTO held_events (run_id, journey_id, seq) VALUES (?, ?, ?)'),
    release: p<[string, number]>('DELETE FROM held_events WHERE run_id = ? AND seq = ?'),
    dueTimers: p<[number, number], TimerRow>(
      `SELECT t.* FROM timers t JOIN journeys j ON j.id = t.journey_id
       WHERE t.due_at <= ? AND j.status = 'live' ORDER BY t.due_at LIMIT ?`,
    ),
    dueTimersOf: p<[number, string, number], TimerRow>('SELECT * FROM timers WHERE due_at <= ? AND journey_id = ? ORDER BY due_at LIMIT ?'),
    nextTimer: p<[], { due: number | null }>(
      `SELECT min(t.due_at) AS due FROM timers t JOIN journeys j ON j.id = t.journey_id WHERE j.status = 'live'`,
    ),
    timerCount: p<[], { n: number }>('SELECT count(*) AS n FROM timers'),
    insertJourney: p<[string, string, string, string, string, number | null, string | null, number, number]>(
      'INSERT INTO journeys (id, name, status, graph, settings, version, published_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    // A journey row is written in parts, each by what owns it: a draft edit, a publish, a pause.
    updateDraft: p<[string, string, string, number, string], JourneyRow>('UPDATE journeys SET name = ?, graph = ?, settings = ?, updated_at = ? WHERE id = ? RETURNING *'),
    updatePublished: p<[string, number | null, string | null, number, string]>('UPDATE journeys SET status = ?, version = ?, published_hash = ?, updated_at = ? WHERE id = ?'),
    updateStatus: p<[string, number, string]>('UPDATE journeys SET status = ?, updated_at = ? WHERE id = ?'),
    getJourney: p<[string], JourneyRow>('SELECT * FROM journeys WHERE id = ?'),
    listJourneys: p<[], JourneyRow>('SELECT * FROM journeys ORDER BY created_at DESC, id'),
    insertVersion: p<[string, number, string, string, string, string, number]>(
      'INSERT INTO journey_versions (journey_id, version, graph, settings, machine, hash, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    getVersion: p<[string, number], VersionRow>('SELECT * FROM journey_versions WHERE journey_id = ? AND version = ?'),
    listVersions: p<[string], VersionRow>('SELECT * FROM journey_versions WHERE journey_id = ? ORDER BY version'),
    published: p<[], PublishedRow>(
      `SELECT j.*, v.machine AS v_machine, v.graph AS v_graph, v.settings AS v_settings, v.hash AS v_hash, v.published_at AS v_published_at
       FROM journeys j JOIN journey_versions v ON v.journey_id = j.id AND v.version = j.version WHERE j.version IS NOT NULL`,
    ),
    runsOf: p<[string, string], RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE journey_id = ? AND user_id = ? ORDER BY started_at DESC, run_id DESC`,
    ),
    historyOf: p<[string], HistoryRow>('SELECT * FROM history WHERE run_id = ? ORDER BY id'),
    runsPage: p<[string, string, number, number, string, number], RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE journey_id = ? AND user_id = ? AND (started_at < ? OR (started_at = ? AND run_id < ?))
       ORDER BY started_at DESC, run_id DESC LIMIT ?`,
    ),
    historyPage: p<[string, number, number], HistoryRow & { id: number }>('SELECT * FROM history WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?'),
    usersOf: p<[string, string, string, number], { user_id: string; runs: number; last: number; run_id: string }>(
      `SELECT user_id, count(*) AS runs, max(updated_at) AS last, max(run_id) AS run_id FROM runs
       WHERE journey_id = ? AND user_id >= ? AND user_id < ? GROUP BY user_id ORDER BY last DESC LIMIT ?`,
    ),
    activeTotals: p<[], { journey_id: string; n: number }>(`SELECT journey_id, count(*) AS n FROM runs WHERE status = 'active' GROUP BY journey_id`),
    activeCounts: p<[string], { version: number; node_id: string | null; n: number }>(
      `SELECT version, current_node_id AS node_id, count(*) AS n FROM runs WHERE journey_id = ? AND status = 'active' GROUP BY version, current_node_id`,
    ),
    activeRunsOf: p<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE journey_id = ? AND status = 'active' ORDER BY started_at, run_id`),
    counters: p<[string], { version: number; node_id: string; metric: string; count: number }>(
      'SELECT version, node_id, metric, count FROM node_counters WHERE journey_id = ?',
    ),
    watchesByUsers: p<[string], GoalWatchRow>(
      'SELECT * FROM goal_watches WHERE user_id IN (SELECT value FROM json_each(?))',
    ),
    setWatch: p<[string, string, number, string, number, number, number, string, string | null]>(
      'INSERT OR REPLACE INTO goal_watches (run_id, journey_id, version, user_id, entered_at, deadline, control, trigger_message_id, outlets) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    clearWatch: p<[string]>('DELETE FROM goal_watches WHERE run_id = ?'),
    heldOf: p<[string, number], { run_id: string; seq: number }>('SELECT run_id, seq FROM held_events WHERE journey_id = ? ORDER BY seq LIMIT ?'),
    claimOutbox: p<[string, number, number], OutboxRow>(
      'SELECT id, job, created_at, attempts FROM outbox WHERE kind = ? AND available_at <= ? ORDER BY available_at, seq LIMIT ?',
    ),
    deferOutbox: p<[number, string]>('UPDATE outbox SET available_at = ?, attempts = attempts + 1 WHERE id = ?'),
    deleteOutbox: p<[string]>('DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))'),
    outboxCount: p<[], { n: number }>('SELECT count(*) AS n FROM outbox'),
    // One index lookup per kind (outbox_due leads with kind).
    outboxNext: p<[], { t: number | null }>(
      "SELECT min(t) AS t FROM (SELECT min(available_at) AS t FROM outbox WHERE kind = 'message' UNION ALL SELECT min(available_at) FROM outbox WHERE kind = 'webhook')",
    ),
    deleteJourneyRows: [
      // Its queued messages go with its runs: their fields are its versions' (StoredMessageJob).
      "DELETE FROM outbox WHERE kind = 'message' AND json_extract(job, '$.value.context.journey.id') = ?",
      'DELETE FROM held_events WHERE journey_id = ?',
      'DELETE FROM goal_watches WHERE journey_id = ?',
      'DELETE FROM timers WHERE journey_id = ?',
      'DELETE FROM node_counters WHERE journey_id = ?',
      'DELETE FROM history WHERE journey_id = ?',
      'DELETE FROM runs WHERE journey_id = ?',
      'DELETE FROM entered_journeys WHERE journey_id = ?',
      'DELETE FROM journey_versions WHERE journey_id = ?',
      'DELETE FROM journeys WHERE id = ?',
    ].map((sql) => p<[string]>(sql)),
  }
}

export type Statements = ReturnType<typeof prepareStatements>
