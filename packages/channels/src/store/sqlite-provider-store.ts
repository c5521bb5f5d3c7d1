import { randomUUID } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import type { Channel } from '@switchyard/schema'
import type { SecretBox } from '@switchyard/secrets'
import { providerRows, type Provider, type ProviderStore } from './provider-store'

/** `channel_providers` on the server's SQLite file; every write is one IMMEDIATE transaction. */
export function createSqliteProviderStore(db: Database, box: SecretBox, now: () => number): ProviderStore {
  const rows = providerRows(box)
  const selectAll = db.prepare('SELECT * FROM channel_providers ORDER BY created_at, id')
  const selectOne = db.prepare('SELECT * FROM channel_providers WHERE id = ?')
  const selectDefault = db.prepare('SELECT * FROM channel_providers WHERE channel = ? AND is_default = 1 LIMIT 1')
  const clearDefault = db.prepare('UPDATE channel_providers SET is_default = 0 WHERE channel = ? AND id <> ?')
  const insert = db.prepare(
    `INSERT INTO channel_providers (id, name, channel, kind, is_default, config, secrets, created_at, updated_at)
     VALUES (@id, @name, @channel, @kind, @is_default, @config, @secrets, @updated_at, @updated_at)`,
  )
  const replace = db.prepare(
    `UPDATE channel_providers SET name = @name, channel = @channel, kind = @kind, is_default = @is_default,
       config = @config, secrets = @secrets, updated_at = @updated_at WHERE id = @id`,
  )
  const del = db.prepare('DELETE FROM channel_providers WHERE id = ?')
  const countDefaults = db.prepare('SELECT COUNT(*) AS n FROM channel_providers WHERE channel = ? AND is_default = 1').pluck()
  const oldest = db.prepare('SELECT id FROM channel_providers WHERE channel = ? ORDER BY created_at, id LIMIT 1').pluck()
  const setDefault = db.prepare('UPDATE channel_providers SET is_default = 1 WHERE id = ?')

  // A channel with providers always has exactly one default, so a message never falls back to the
  // sandbox while a real provider is configured.
  const ensureDefault = (channel: Channel): void => {
    if (countDefaults.get(channel) !== 0) return
    const id = oldest.get(channel)
    if (typeof id === 'string') setDefault.run(id)
  }
  const getRow = (id: string): Provider | null => {
    const row = selectOne.get(id)
    return row === undefined ? null : rows.read(row)
  }
  const write = <T>(fn: () => T): T => db.transaction(fn).immediate()

  return {
    list: async () => selectAll.all().map(rows.read),
    get: async (id) => getRow(id),
    async defaultFor(channel) {
      const row = selectDefault.get(channel)
      return row === undefined ? null : rows.read(row)
    },
    async create(input) {
      const id = `prv_${randomUUID()}`
      const row = rows.write(id, input, null, now())
      return write(() => {
        insert.run(row)
        if (input.default === true) clearDefault.run(input.channel, id)
        ensureDefault(input.channel)
        const created = getRow(id)
        if (created === null) throw new Error(`Provider ${id} vanished after insert.`)
        return created
      })
    },
    async update(id, input) {
      return write(() => {
        const previous = getRow(id)
        if (previous === null) return null
        replace.run(rows.write(id, input, previous, now()))
        if (input.default === true) clearDefault.run(input.channel, id)
        ensureDefault(input.channel)
        ensureDefault(previous.channel)
        return getRow(id)
      })
    },
    async remove(id) {
      return write(() => {
        const previous = getRow(id)
        if (previous === null) return false
        del.run(id)
        ensureDefault(previous.channel)
        return true
      })
    },
  }
}
