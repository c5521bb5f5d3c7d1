import { randomUUID } from 'node:crypto'
import type { Pool, PoolClient } from 'pg'
import type { Channel } from '@switchyard/schema'
import type { SecretBox } from '@switchyard/secrets'
import { inTransaction } from '@switchyard/storage'
import { providerRows, type Provider, type ProviderStore, type ProviderWrite } from './provider-store'

/**
 * `channel_providers` on PostgreSQL. A write locks the channel's providers first, so two
 * processes changing one channel at once still leave it exactly one default.
 */
export function createPostgresProviderStore(pool: Pool, box: SecretBox, now: () => number): ProviderStore {
  const rows = providerRows(box)
  const one = async (c: Pool | PoolClient, sql: string, params: unknown[]): Promise<Provider | null> => {
    const [row] = (await c.query(sql, params)).rows
    return row === undefined ? null : rows.read(row)
  }
  const lockChannels = async (c: PoolClient, channels: readonly Channel[]): Promise<void> => {
    for (const channel of [...new Set(channels)].sort()) await c.query("SELECT pg_advisory_xact_lock(hashtext('switchyard.providers.' || $1))", [channel])
  }
  /** A channel with providers always has exactly one default: the oldest when none is. */
  const ensureDefault = async (c: PoolClient, channel: Channel): Promise<void> => {
    await c.query(
      `UPDATE channel_providers SET is_default = 1
       WHERE id = (SELECT id FROM channel_providers WHERE channel = $1 ORDER BY created_at, id LIMIT 1)
         AND NOT EXISTS (SELECT 1 FROM channel_providers WHERE channel = $1 AND is_default = 1)`,
      [channel],
    )
  }
  const settleDefaults = async (c: PoolClient, row: ProviderWrite, channels: readonly Channel[]): Promise<void> => {
    if (row.is_default === 1) await c.query('UPDATE channel_providers SET is_default = 0 WHERE channel = $1 AND id <> $2', [row.channel, row.id])
    for (const channel of channels) await ensureDefault(c, channel)
  }

  return {
    list: async () => (await pool.query('SELECT * FROM channel_providers ORDER BY created_at, id')).rows.map(rows.read),
    get: (id) => one(pool, 'SELECT * FROM channel_providers WHERE id = $1', [id]),
    defaultFor: (channel) => one(pool, 'SELECT * FROM channel_providers WHERE channel = $1 AND is_default = 1 LIMIT 1', [channel]),
    create: (input) =>
      inTransaction(pool, async (c) => {
        const row = rows.write(`prv_${randomUUID()}`, input, null, now())
        await lockChannels(c, [row.channel])
        await c.query(
          `INSERT INTO channel_providers (id, name, channel, kind, is_default, config, secrets, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
          [row.id, row.name, row.channel, row.kind, row.is_default, row.config, row.secrets, row.updated_at],
        )
        await settleDefaults(c, row, [row.channel])
        const created = await one(c, 'SELECT * FROM channel_providers WHERE id = $1', [row.id])
        if (created === null) throw new Error(`Provider ${row.id} vanished after insert.`)
        return created
      }),
    update: (id, input) =>
      inTransaction(pool, async (c) => {
        const current = await one(c, 'SELECT * FROM channel_providers WHERE id = $1', [id])
        if (current === null) return null
        await lockChannels(c, [current.channel, input.channel])
        const previous = await one(c, 'SELECT * FROM channel_providers WHERE id = $1 FOR UPDATE', [id])
        if (previous === null) return null
        const row = rows.write(id, input, previous, now())
        await c.query(
          `UPDATE channel_providers SET name = $2, channel = $3, kind = $4, is_default = $5, config = $6, secrets = $7, updated_at = $8 WHERE id = $1`,
          [row.id, row.name, row.channel, row.kind, row.is_default, row.config, row.secrets, row.updated_at],
        )
        await settleDefaults(c, row, [input.channel, previous.channel])
        return one(c, 'SELECT * FROM channel_providers WHERE id = $1', [id])
      }),
    remove: (id) =>
      inTransaction(pool, async (c) => {
        const previous = await one(c, 'SELECT * FROM channel_providers WHERE id = $1', [id])
        if (previous === null) return false
        await lockChannels(c, [previous.channel])
        const deleted = await c.query('DELETE FROM channel_providers WHERE id = $1', [id])
        if ((deleted.rowCount ?? 0) === 0) return false
        await ensureDefault(c, previous.channel)
        return true
      }),
  }
}
