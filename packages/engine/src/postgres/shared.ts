import type pg from 'pg'
import type { JournalEntry } from '../records'
import type { EngineCommit, PartitionedJournal } from '../store'
import * as codec from '../rows'

/**
 * What a process holds of the partitions users are hashed into (`PartitionLeases` of
 * `@switchyard/storage` on a server): partition -> the epoch it was granted under, and a fence a
 * commit takes inside its own transaction so it cannot commit for a partition it lost.
 */
export interface PartitionScope {
  held(): ReadonlyMap<number, number>
  fence(client: pg.PoolClient, partitions: Iterable<number>): Promise<void>
}

/** A batch loaded before a publish moved runs across partitions: applying it would write over the move. */
export class StaleBatchError extends Error {
  constructor() {
    super('a publish moved runs while this batch was applied; the batch is dropped and read again')
  }
}

const JOURNAL_COLUMNS = 'j.seq, j.message_id, j.type, j.user_id, j.payload, j."timestamp", j.received_at'

/**
 * The journal of a store several processes share. Each partition has its own applied cursor
 * (`partition_cursors`), moved by the commit that applied its entries; journal order is commit
 * order (appends are serialised), so a partition's cursor never passes a row committed later.
 * `catalogStamp` changes with every journey change and with what this process holds, so a worker
 * reloads its journeys, and replays what a resumed journey held, in the partitions it just took.
 */
export class SharedJournal implements PartitionedJournal {
  /** Partition of each entry handed out and not yet committed, for the commit's fence. */
  private readonly pendingPartitions = new Map<number, number>()
  /**
   * The publish epoch read with the catalog's stamp before each batch: the batch's commit checks
   * it did not move, so a batch whose catalog or runs predate a publish or a deletion is dropped.
   */
  loadedEpoch: string | null = null

  constructor(
    private readonly pool: pg.Pool,
    readonly scope: PartitionScope,
  ) {}

  heldPartitions(): number[] {
    return [...this.scope.held().keys()]
  }

  async readUnapplied(limit: number): Promise<JournalEntry[]> {
    const held = this.heldPartitions()
    if (held.length === 0) return []
    // Each partition's first few unapplied rows, then the oldest `limit` of those: for every
    // partition still a prefix of what it has not applied, without reading `limit` rows of each.
    const perPartition = Math.max(16, Math.ceil((2 * limit) / held.length))
    const r = await this.pool.query<codec.JournalRow & { partition: number }>(
      `SELECT ${JOURNAL_COLUMNS}, j.partition FROM partition_cursors c
       CROSS JOIN LATERAL (SELECT * FROM journal j WHERE j.partition = c.partition AND j.seq > c.applied_seq ORDER BY j.seq LIMIT $3) j
       WHERE c.partition = ANY($1::smallint[]) ORDER BY j.seq LIMIT $2`,
      [held, limit, perPartition],
    )
    this.pendingPartitions.clear()
    for (const row of r.rows) this.pendingPartitions.set(row.seq, row.partition)
    return r.rows.map(codec.journalFromRow)
  }

  async unappliedCount(): Promise<number> {
    const held = this.heldPartitions()
    if (held.length === 0) return 0
    const r = await this.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM partition_cursors c JOIN journal j ON j.partition = c.partition AND j.seq > c.applied_seq WHERE c.partition = ANY($1::smallint[])',
      [held],
    )
    return r.rows[0]?.n ?? 0
  }

  async catalogStamp(): Promise<string> {
    // One read for both: the epoch can then never be newer than the catalog the batch applies.
    const r = await this.pool.query<{ key: string; value: string }>(`SELECT key, value FROM engine_meta WHERE key IN ('catalog_version', 'publish_epoch')`)
    const meta = new Map(r.rows.map((row) => [row.key, row.value]))
    this.loadedEpoch = meta.get('publish_epoch') ?? '0'
    const held = [...this.scope.held()].sort((a, b) => a[0] - b[0]).map(([p, e]) => `${p}.${e}`)
    return `${meta.get('catalog_version') ?? '0'}|${held.join(',')}`
  }

  /**
   * Inside a commit's transaction, before it writes: the partitions it touches must still be this
   * process's, and no publish may have moved runs since the batch was loaded.
   */
  async guard(q: pg.PoolClient, c: EngineCommit, partitionOf: (userId: string) => number): Promise<void> {
    const partitions = new Set<number>()
    for (const userId of c.users.keys()) partitions.add(partitionOf(userId))
    for (const run of c.runs.values()) partitions.add(partitionOf(run.userId))
    for (const t of c.timersSet) partitions.add(partitionOf(t.userId))
    for (const seq of c.appliedSeqs ?? []) {
      const p = this.pendingPartitions.get(seq)
      if (p !== undefined) partitions.add(p)
    }
    await this.scope.fence(q, partitions)
    const epoch = await q.query<{ value: string }>(`SELECT value FROM engine_meta WHERE key = 'publish_epoch' FOR SHARE`)
    if (this.loadedEpoch !== null && (epoch.rows[0]?.value ?? '0') !== this.loadedEpoch) throw new StaleBatchError()
  }

  /** After the batch's writes, in the same transaction: its partitions' cursors move past what it applied. */
  async markApplied(q: pg.PoolClient, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return
    await q.query(
      `UPDATE partition_cursors c SET applied_seq = m.seq
       FROM (SELECT partition, max(seq) AS seq FROM journal WHERE seq = ANY($1::bigint[]) GROUP BY partition) m
       WHERE c.partition = m.partition AND c.applied_seq < m.seq`,
      [seqs],
    )
    for (const s of seqs) this.pendingPartitions.delete(s)
  }
}

/**
 * Run when a shared store opens: a cursor per partition, created once whoever comes first, and
 * never behind the single cursor a store opened alone may have moved meanwhile.
 */
export async function prepareShared(pool: pg.Pool, partitions: number): Promise<void> {
  const meta = `coalesce((SELECT value::bigint FROM engine_meta WHERE key = 'applied_seq'), 0)`
  await pool.query(
    `INSERT INTO partition_cursors (partition, applied_seq) SELECT g, ${meta} FROM generate_series(0, $1::int - 1) AS g ON CONFLICT DO NOTHING`,
    [partitions],
  )
  await pool.query(`UPDATE partition_cursors SET applied_seq = ${meta} WHERE applied_seq < ${meta}`)
}

/** A scope holding every partition with no fence: one process that has the database to itself (tests, benchmarks). */
export function everyPartition(partitions: number): PartitionScope {
  const held = new Map(Array.from({ length: partitions }, (_, p) => [p, 0]))
  return { held: () => held, fence: async () => undefined }
}
