import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { Engine, SqliteEngineStore, openDatabase, sqliteMaintenance, systemClock } from '@switchyard/engine'
import { progress, round, tempDir } from './util'

/**
 * How long `POST /api/system/backup`'s copy takes for a database of `targetMb` megabytes: the
 * engine's own file, filled with journal events of about 1 KB, copied with the online backup API.
 */
export async function backupTime(targetMb: number): Promise<{ databaseMb: number; backupSeconds: number; copyMb: number }> {
  const { dir, file, cleanup } = tempDir('backup')
  try {
    const db = openDatabase(file)
    const engine = await Engine.open({ store: new SqliteEngineStore(db, Date.now()), clock: systemClock, workspace: 'bench' })
    const padding = 'x'.repeat(900)
    const maintenance = sqliteMaintenance(db)
    let n = 0
    while (maintenance.sizes().databaseBytes < targetMb * 2 ** 20) {
      const now = Date.now()
      await engine.ingest(Array.from({ length: 5_000 }, () => ({ messageId: `b${n++}`, type: 'track' as const, userId: `u${n % 10_000}`, event: 'Filled', properties: { padding }, timestamp: now, receivedAt: now })))
      if (n % 100_000 === 0) progress(`backup: ${n} events, ${round(maintenance.sizes().databaseBytes / 2 ** 20)} MB`)
    }
    db.pragma('wal_checkpoint(TRUNCATE)')
    const databaseMb = round(maintenance.sizes().databaseBytes / 2 ** 20)
    const copy = join(dir, 'copy.db')
    const t0 = performance.now()
    const { bytes } = await maintenance.backup(copy)
    const backupSeconds = round((performance.now() - t0) / 1000, 2)
    rmSync(copy, { force: true })
    await engine.close()
    return { databaseMb, backupSeconds, copyMb: round(bytes / 2 ** 20) }
  } finally {
    cleanup()
  }
}
