import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'

export class SqliteLockedError extends Error {}

/**
 * One process per SQLite file: a second would apply the same journal and send every message
 * twice. `<file>.lock` holds the owner's pid and host; a lock whose process is gone (killed) is
 * taken over. Returns the release function.
 */
export function lockSqliteFile(sqlitePath: string): () => void {
  if (sqlitePath === ':memory:') return () => undefined
  const lockPath = `${sqlitePath}.lock`
  const me = `${process.pid} ${hostname()}`
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lockPath, `${me}\n`, { flag: 'wx', mode: 0o600 })
      return () => {
        if (readOwner(lockPath) === me) rmSync(lockPath, { force: true })
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const owner = readOwner(lockPath)
    if (owner === null) continue
    const [pidText, host] = owner.split(' ')
    const pid = Number(pidText)
    if (host === hostname() && Number.isInteger(pid) && pid !== process.pid && alive(pid)) {
      throw new SqliteLockedError(
        `Another Switchyard process (pid ${pid}) is using ${sqlitePath}. SQLite allows one process per file: stop that one first, or use DATABASE_URL=postgres://... to run several processes.`,
      )
    }
    if (host !== hostname()) {
      throw new SqliteLockedError(`${sqlitePath} is in use by a Switchyard process on ${host} (pid ${pidText}). If that process is gone, delete ${lockPath}.`)
    }
    // The owner is gone (or is this very process, reopening): take the lock over.
    rmSync(lockPath, { force: true })
  }
  throw new SqliteLockedError(`Could not lock ${sqlitePath}: ${lockPath} keeps changing hands. Is another process starting on the same file?`)
}

function readOwner(lockPath: string): string | null {
  try {
    return readFileSync(lockPath, 'utf8').trim()
  } catch {
    return null
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
