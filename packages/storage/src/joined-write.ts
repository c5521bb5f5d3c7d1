import type Database from 'better-sqlite3'
import type { PoolClient } from 'pg'

/**
 * Rows one store writes inside a transaction another store owns, so that one commit holds both
 * (the relay settles a batch's message rows, webhook deliveries, journal events and outbox rows
 * together). The owner runs the side of its backend inside its open transaction: on SQLite on its
 * own connection (it must be the one the joined store was opened on), on PostgreSQL on its client.
 * `committed` runs after the commit (a dispatcher to wake), never after a rollback.
 */
export interface JoinedWrite {
  sqlite(db: Database.Database): void
  postgres(client: PoolClient): Promise<void>
  committed?(): void
}

/** For a joined write's SQLite side: refuses a transaction on another connection, which could not hold both writes. */
export function sameConnection(own: Database.Database, owner: Database.Database): void {
  if (own !== owner) throw new Error('A joined write must run on the connection its store was opened on; this transaction is on another one.')
}

/** The SQLite side of a store that is on PostgreSQL (or the other way round): a wiring mistake, not a runtime case. */
export function otherBackend(kind: 'sqlite' | 'postgres'): never {
  throw new Error(`This joined write's store is not on ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: both stores of one transaction must share a backend.`)
}
