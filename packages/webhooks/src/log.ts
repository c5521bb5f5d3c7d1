/**
 * One structured log line. Built only from ids, statuses and our own error strings: never a
 * header, a URL with its query, a body or a configuration, so secrets cannot reach the log.
 */
export interface WebhookLogEntry {
  level: 'debug' | 'info' | 'warn' | 'error'
  /** Deliveries a request (or a turn's requests) carried. */
  deliveries?: number
  /** Requests delivered in one turn (the info line that tells them). */
  requests?: number
  /** The slowest of those requests. */
  maxDurationMs?: number
  msg: string
  webhookId?: string
  deliveryId?: string
  batchId?: string
  status?: number | null
  durationMs?: number
  error?: string
}

export type WebhookLogger = (entry: WebhookLogEntry) => void

export const silentLogger: WebhookLogger = () => undefined
