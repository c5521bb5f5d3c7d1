import { isIP } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { sqlitePathFromUrl, type RetentionPolicy } from '@switchyard/engine'
import { isPostgresUrl, redactUrl } from '@switchyard/storage'
import { parseAllowList } from '@switchyard/webhooks'
import { isLogLevel, LOG_LEVELS, type LogLevel } from './log'

/** What a process does: `api` serves HTTP and ingests, `worker` applies, fires timers and delivers, `both` (default) all of it. */
export type Role = 'api' | 'worker' | 'both'
export const ROLES: readonly Role[] = ['api', 'worker', 'both']

export interface Config {
  port: number
  host: string
  databaseUrl: string
  /** The database kind `DATABASE_URL` names. */
  database: 'sqlite' | 'postgres'
  /** The SQLite file (SQLite only; on PostgreSQL, where the data directory's key file would be). */
  sqlitePath: string
  /** Where the secret key file lives when `SECRET_KEY` is not set. */
  dataDir: string
  role: Role
  /** Partitions users are hashed into on PostgreSQL; fixed when the database is created. */
  partitions: number
  adminToken: string | null
  writeKey: string | null
  secretKey: string | null
  allowPrivateTargets: string[]
  workspace: string
  webDist: string
  /** Who gets webhook failure alerts by email (when an email provider is configured). */
  alertEmails: string[]
  /** `full`: every commit survives power loss; `normal`: every commit survives a crash of the process. */
  sqliteSynchronous: 'full' | 'normal'
  /** How long applied journal events, ended runs' history and message ids are kept (PRODUCT.md 6.6). */
  retention: RetentionPolicy
  /** `info` by default: one line per batch of sends; `debug` adds one per message. */
  logLevel: LogLevel
  /**
   * SQLite: `worker` (default) applies the journal and fires timers on a second thread with its
   * own connection, so a live journey does not slow ingestion; `main` does it on the HTTP thread
   * too. PostgreSQL scales with processes instead (ROLE).
   */
  engineThread: 'worker' | 'main'
}

export class ConfigError extends Error {}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

export function isLoopbackHost(host: string): boolean {
  if (LOOPBACK.has(host)) return true
  return isIP(host) === 4 && host.startsWith('127.')
}

/** Reads the environment of PRODUCT.md section 1; every variable is optional on loopback. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Config {
  const portText = env.PORT ?? '3000'
  const port = Number(portText)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a number from 0 to 65535, not “${portText}”.`)
  const host = env.HOST ?? '127.0.0.1'
  const databaseUrl = (env.DATABASE_URL ?? '').trim() || 'sqlite:./data/switchyard.db'
  const database = isPostgresUrl(databaseUrl) ? 'postgres' : 'sqlite'
  if (database === 'sqlite' && /^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl) && !/^(sqlite|file):/i.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be sqlite:<path> or postgres://user@host:port/database, not “${redactUrl(databaseUrl)}”.`)
  }
  const sqlitePath = database === 'sqlite' ? resolve(cwd, sqlitePathFromUrl(databaseUrl)) : resolve(cwd, 'data/switchyard.db')
  const role = (env.ROLE ?? 'both').trim().toLowerCase()
  if (!isRole(role)) throw new ConfigError(`ROLE must be api (HTTP only), worker (apply, timers, delivery) or both, not “${env.ROLE ?? ''}”.`)
  if (role !== 'both' && database === 'sqlite') {
    throw new ConfigError(`ROLE=${role} needs a database several processes can share: on SQLite one process does everything. Use DATABASE_URL=postgres://..., or leave ROLE unset.`)
  }
  const partitionsText = (env.PARTITIONS ?? '64').trim()
  const partitions = Number(partitionsText)
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) throw new ConfigError(`PARTITIONS must be a whole number from 1 to 1024, not “${partitionsText}”.`)
  const adminToken = nonEmpty(env.ADMIN_TOKEN)
  const writeKey = nonEmpty(env.WRITE_KEY)
  if (!isLoopbackHost(host) && (adminToken === null || writeKey === null)) {
    throw new ConfigError(
      `Refusing to listen on ${host} without ADMIN_TOKEN and WRITE_KEY: anyone on the network could change journeys and send events. Set both, or use HOST=127.0.0.1.`,
    )
  }
  const allowPrivateTargets = (env.ALLOW_PRIVATE_TARGETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  try {
    parseAllowList(allowPrivateTargets)
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : 'ALLOW_PRIVATE_TARGETS holds something that is not a CIDR range.')
  }
  const synchronous = (env.SQLITE_SYNCHRONOUS ?? 'normal').trim().toLowerCase()
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new ConfigError(`SQLITE_SYNCHRONOUS must be "full" (every commit survives power loss) or "normal" (survives a crash of the process), not “${env.SQLITE_SYNCHRONOUS ?? ''}”.`)
  }
  const logLevel = (env.LOG_LEVEL ?? 'info').trim().toLowerCase()
  if (!isLogLevel(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not “${env.LOG_LEVEL ?? ''}”.`)
  const engineThreadText = (env.ENGINE_THREAD ?? '').trim().toLowerCase()
  if (engineThreadText !== '' && engineThreadText !== 'worker' && engineThreadText !== 'main') {
    throw new ConfigError(`ENGINE_THREAD must be "worker" (apply events and fire timers on a second thread) or "main" (everything on one), not “${env.ENGINE_THREAD ?? ''}”.`)
  }
  const ownFile = database === 'sqlite' && sqlitePath !== ':memory:' && !sqlitePath.endsWith('/:memory:')
  if (engineThreadText === 'worker' && !ownFile) {
    throw new ConfigError('ENGINE_THREAD=worker needs a SQLite file the two threads can share; on PostgreSQL run ROLE=api and ROLE=worker processes instead.')
  }
  const engineThread = engineThreadText === 'main' || !ownFile ? 'main' : 'worker'
  const retention: RetentionPolicy = {
    journalMs: duration(env, 'JOURNAL_RETENTION', '30d'),
    historyMs: duration(env, 'HISTORY_RETENTION', '180d'),
    dedupeWindowMs: duration(env, 'DEDUPE_WINDOW', '7d'),
  }
  return {
    port,
    host,
    databaseUrl,
    database,
    sqlitePath,
    dataDir: database === 'sqlite' ? dirname(sqlitePath) : resolve(cwd, env.DATA_DIR ?? 'data'),
    role,
    partitions,
    adminToken,
    writeKey,
    secretKey: nonEmpty(env.SECRET_KEY),
    allowPrivateTargets,
    workspace: nonEmpty(env.WORKSPACE) ?? 'default',
    webDist: resolve(env.WEB_DIST ?? join(import.meta.dirname, '../../web/dist')),
    sqliteSynchronous: synchronous,
    retention,
    logLevel,
    engineThread,
    alertEmails: (env.ALERT_EMAIL ?? '').split(',').map((s) => s.trim()).filter((s) => s.includes('@')),
  }
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** `30d`, `12h`, `90m`, `45s`: a whole number of seconds, minutes, hours or days, above zero. */
function duration(env: NodeJS.ProcessEnv, name: string, fallback: string): number {
  const text = (env[name] ?? fallback).trim()
  const match = /^(\d+)\s*([smhd])$/.exec(text)
  const amount = Number(match?.[1])
  const unit = match?.[2]
  if (unit !== 's' && unit !== 'm' && unit !== 'h' && unit !== 'd') {
    throw new ConfigError(`${name} must be a whole number followed by s, m, h or d (for example ${fallback} or 12h), not “${env[name] ?? ''}”.`)
  }
  const ms = amount * UNIT_MS[unit]
  if (!(amount > 0) || !Number.isSafeInteger(ms)) throw new ConfigError(`${name} must be more than zero and at most a few thousand years, not “${text}”.`)
  return ms
}

function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v)
}

function nonEmpty(v: string | undefined): string | null {
  return v === undefined || v.trim() === '' ? null : v
}
