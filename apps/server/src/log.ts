/** One JSON line per log record. Callers never pass secrets; fields are data, not templates. */
export interface Logger {
  /** Per-message detail (each send, each delivery): written only at LOG_LEVEL=debug. */
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export function isLogLevel(value: string): value is LogLevel {
  return LOG_LEVELS.some((l) => l === value)
}

/** Hands records at `level` and above to `emit`; the ones below cost one comparison. */
export function levelledLogger(level: LogLevel, emit: (level: LogLevel, msg: string, fields: Record<string, unknown>) => void): Logger {
  const min = LOG_LEVELS.indexOf(level)
  const at = (l: LogLevel) => (LOG_LEVELS.indexOf(l) < min ? () => {} : (msg: string, fields: Record<string, unknown> = {}) => emit(l, msg, fields))
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** Writes records at `level` and above as JSON lines. */
export function jsonLogger(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`), level: LogLevel = 'info'): Logger {
  return levelledLogger(level, (l, msg, fields) => write(JSON.stringify({ time: new Date().toISOString(), level: l, msg, ...fields })))
}

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

/**
 * The log record of a journal event the engine could not apply and passed over: which event and
 * why, not its properties or traits (they may hold personal data). It stays in the journal.
 */
export function setAsideLine(entry: { seq: number; messageId: string; userId: string; type: string; event?: string | undefined }, error: unknown): [string, Record<string, unknown>] {
  return [
    'an event failed to apply and was set aside; the users after it go on',
    {
      seq: entry.seq,
      messageId: entry.messageId,
      userId: entry.userId,
      type: entry.type,
      ...(entry.event === undefined ? {} : { event: entry.event }),
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    },
  ]
}
