/** The service reads time only through this, so tests pin it. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
/** Structured log sink; fields never carry secrets. */
export type Log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void

export const silentLog: Log = () => {}
