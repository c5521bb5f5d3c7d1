/** One JSON line per log record. Callers never pass secrets; fields are data, not templates. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

export function jsonLogger(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  const at = (level: string) => (msg: string, fields: Record<string, unknown> = {}) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }))
  return { info: at('info'), warn: at('warn'), error: at('error') }
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} }
