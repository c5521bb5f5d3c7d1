/**
 * One structured log line. Built only from ids, statuses and our own error strings: never a
 * header, a URL with its query, a body or a configuration, so secrets cannot reach the log.
 */
export interface WebhookLogEntry {
  level: 'debug' | 'info' | 'warn' | 'error'
  /** A request's count of deliveries (the info line of a batch). */
  deliveries?: number
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
