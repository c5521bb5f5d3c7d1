import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Pool, PoolClient } from 'pg'
import { migratePostgres, type ComponentMigrations } from './migrate'

/**
 * Partition leases on PostgreSQL. Users are hashed into a fixed number of partitions; each
 * process holds some of them through a row in `partition_leases` whose `epoch` grows every time
 * the partition changes hands. The epoch is a fencing token: a process commits work for a
 * partition only after `fence` has found its own owner and epoch on the row (and holds the row
 * shared until the commit), so a process that lost a partition while paused cannot write over
 * the one that took it.
 *
 * Every `renewMs` a process renews what it holds, says it is alive in `lease_members`, and moves
 * towards its fair share: live members sorted by id, the first `P mod N` hold one more. Extra
 * partitions are released; missing ones are taken from those free or expired. A killed process's
 * leases expire after `ttlMs` and are taken on the others' next round.
 */
export const LEASE_MIGRATIONS: ComponentMigrations = {
  component: 'leases',
  sqlite: [],
  postgres: [
    {
      version: 1,
      name: 'partition leases with fencing epochs, and the processes sharing them',
      up: `
        CREATE TABLE partition_leases (
          partition INTEGER PRIMARY KEY,
          owner TEXT,
          epoch BIGINT NOT NULL DEFAULT 0,
          expires_at BIGINT NOT NULL DEFAULT 0,
          acquired_at BIGINT
        );
        CREATE TABLE lease_members (owner TEXT PRIMARY KEY, heartbeat_at BIGINT NOT NULL);
      `,
    },
  ],
}

export class LeaseLostError extends Error {
  constructor(readonly partitions: number[]) {
    super(`this process no longer holds partition${partitions.length === 1 ? '' : 's'} ${partitions.join(', ')}`)
  }
}

export interface LeaseOptions {
  partitions: number
  /** Unique per process; default host, pid and a random tail. */
  owner?: string
  /** How long a lease lasts without renewal. Default 10 s. */
  ttlMs?: number
  /** How often leases are renewed and rebalanced. Default 2 s. */
  renewMs?: number
  /** Where "now" comes from; default the database's clock, so processes on several machines agree. */
  now?: () => number
  /** Called after a round that changed what this process holds. */
  onChange?: (change: { held: ReadonlyMap<number, number>; acquired: number[]; lost: number[]; released: number[] }) => void
  onError?: (error: unknown) => void
}

export class PartitionLeases {
  readonly owner: string
  readonly partitions: number
  private readonly ttlMs: number
  private readonly renewMs: number
  private heldEpochs = new Map<number, number>()
  private timer: NodeJS.Timeout | null = null
  private round: Promise<void> | null = null

  private constructor(
    private readonly pool: Pool,
    private readonly o: LeaseOptions,
  ) {
    this.owner = o.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
    this.partitions = o.partitions
    this.ttlMs = o.ttlMs ?? 10_000
    this.renewMs = o.renewMs ?? 2_000
  }

  /** Creates the tables and partition rows if needed; refuses a partition count other than the database's. */
  static async open(pool: Pool, o: LeaseOptions): Promise<PartitionLeases> {
    await migratePostgres(pool, [LEASE_MIGRATIONS])
    // The first process sets the number up (processes starting together insert the same rows).
    await pool.query(
      `INSERT INTO partition_leases (partition) SELECT generate_series(0, $1::int - 1)
       WHERE NOT EXISTS (SELECT 1 FROM partition_leases) ON CONFLICT DO NOTHING`,
      [o.partitions],
    )
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM partition_leases')
    const set = rows[0]?.n ?? 0
    if (set !== o.partitions) {
      throw new Error(`PARTITIONS is ${o.partitions} but this database was set up with ${set} partitions; the number is fixed when the database is created. Set PARTITIONS=${set}.`)
    }
    return new PartitionLeases(pool, o)
  }

  /** Partition -> epoch, for what this process holds now. */
  held(): ReadonlyMap<number, number> {
    return this.heldEpochs
  }

  /** Renews at once and then every `renewMs`. */
  async start(): Promise<void> {
    await this.tick()
    this.timer ??= setInterval(() => void this.tick().catch((e: unknown) => this.o.onError?.(e)), this.renewMs)
    this.timer.unref()
  }

  /** Stops renewing; `release` (SIGTERM) hands the partitions back at once so others take them without waiting for expiry. */
  async stop(release = true): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    await this.round?.catch(() => undefined)
    if (!release) return
    await this.pool.query('UPDATE partition_leases SET owner = NULL, expires_at = 0 WHERE owner = $1', [this.owner])
    await this.pool.query('DELETE FROM lease_members WHERE owner = $1', [this.owner])
    this.heldEpochs = new Map()
  }

  /** One round: heartbeat, renew, then release or take towards the fair share. */
  tick(): Promise<void> {
    this.round ??= this.doTick().finally(() => {
      this.round = null
    })
    return this.round
  }

  /**
   * Inside a transaction that is about to commit work for `partitions`: checks that this process
   * still holds each with the epoch it was granted, and locks the rows shared so no takeover can
   * happen before the commit. Throws `LeaseLostError` otherwise (roll back).
   */
  async fence(client: PoolClient, partitions: Iterable<number>): Promise<void> {
    const wanted = [...new Set(partitions)]
    if (wanted.length === 0) return
    const { rows } = await client.query<{ partition: number; owner: string | null; epoch: number }>(
      'SELECT partition, owner, epoch FROM partition_leases WHERE partition = ANY($1::int[]) FOR SHARE',
      [wanted],
    )
    const current = new Map(rows.map((r) => [r.partition, r]))
    const lost = wanted.filter((p) => {
      const row = current.get(p)
      return row === undefined || row.owner !== this.owner || row.epoch !== this.heldEpochs.get(p)
    })
    if (lost.length > 0) {
      for (const p of lost) this.heldEpochs.delete(p)
      throw new LeaseLostError(lost.sort((a, b) => a - b))
    }
  }

  private async now(): Promise<number> {
    if (this.o.now) return this.o.now()
    const { rows } = await this.pool.query<{ now: number }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now')
    return rows[0]!.now
  }

  private async doTick(): Promise<void> {
    const now = await this.now()
    const before = new Map(this.heldEpochs)
    await this.pool.query(
      `WITH beat AS (
         INSERT INTO lease_members (owner, heartbeat_at) VALUES ($1, $2)
         ON CONFLICT (owner) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at)
       DELETE FROM lease_members WHERE heartbeat_at < $3 AND owner <> $1`,
      [this.owner, now, now - this.ttlMs],
    )
    const renewed = await this.pool.query<{ partition: number; epoch: number }>(
      'UPDATE partition_leases SET expires_at = $2 WHERE owner = $1 RETURNING partition, epoch',
      [this.owner, now + this.ttlMs],
    )
    const held = new Map(renewed.rows.map((r) => [r.partition, r.epoch]))
    const members = await this.pool.query<{ owner: string }>('SELECT owner FROM lease_members WHERE heartbeat_at >= $1 ORDER BY owner', [now - this.ttlMs])
    const live = members.rows.map((r) => r.owner)
    const rank = Math.max(0, live.indexOf(this.owner))
    const n = Math.max(1, live.length)
    const share = Math.floor(this.partitions / n) + (rank < this.partitions % n ? 1 : 0)

    let released: number[] = []
    if (held.size > share) {
      released = [...held.keys()].sort((a, b) => b - a).slice(0, held.size - share)
      await this.pool.query('UPDATE partition_leases SET owner = NULL, expires_at = 0 WHERE owner = $1 AND partition = ANY($2::int[])', [this.owner, released])
      for (const p of released) held.delete(p)
    } else if (held.size < share) {
      const taken = await this.pool.query<{ partition: number; epoch: number }>(
        `UPDATE partition_leases SET owner = $1, epoch = epoch + 1, expires_at = $3, acquired_at = $2
         WHERE partition IN (
           SELECT partition FROM partition_leases WHERE owner IS NULL OR expires_at < $2
           ORDER BY partition LIMIT $4 FOR UPDATE SKIP LOCKED)
         AND (owner IS NULL OR expires_at < $2)
         RETURNING partition, epoch`,
        [this.owner, now, now + this.ttlMs, share - held.size],
      )
      for (const r of taken.rows) held.set(r.partition, r.epoch)
    }
    this.heldEpochs = held
    const acquired = [...held.keys()].filter((p) => before.get(p) !== held.get(p))
    const lost = [...before.keys()].filter((p) => !held.has(p) && !released.includes(p))
    if (acquired.length + lost.length + released.length > 0) this.o.onChange?.({ held, acquired, lost, released })
  }
}
