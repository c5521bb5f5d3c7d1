import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { boot } from './boot'
import { loadConfig } from './config'
import { silentLogger } from './log'
import { lockSqliteFile, SqliteLockedError } from './sqlite-lock'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('one process per SQLite file', () => {
  it('refuses a second server on a file a live process holds, with the pid and what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-lock-'))
    const file = join(dir, 'switchyard.db')
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
    cleanups.push(() => void other.kill('SIGKILL'))
    writeFileSync(`${file}.lock`, `${other.pid} ${hostname()}\n`)
    const config = loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${file}` })
    const refused = boot(config, silentLogger)
    await expect(refused).rejects.toThrow(SqliteLockedError)
    await expect(refused).rejects.toThrow(new RegExp(`pid ${other.pid}.*one process per file.*DATABASE_URL=postgres`))
    // Refusing did not take the lock away from its owner.
    expect(readFileSync(`${file}.lock`, 'utf8')).toContain(String(other.pid))
  })

  it('takes over the lock of a process that was killed, and releases it on stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-lock-'))
    const file = join(dir, 'switchyard.db')
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    await new Promise((resolve) => gone.on('exit', resolve))
    writeFileSync(`${file}.lock`, `${gone.pid} ${hostname()}\n`)
    const running = await boot(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${file}` }), silentLogger)
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(`${process.pid} ${hostname()}\n`)
    await running.stop()
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('names the other host when the file is shared over a network', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-lock-'))
    const file = join(dir, 'switchyard.db')
    writeFileSync(`${file}.lock`, `4242 another-host\n`)
    expect(() => lockSqliteFile(file)).toThrow(/in use by a Switchyard process on another-host \(pid 4242\).*delete/)
  })
})
