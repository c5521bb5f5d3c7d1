import type { DatabaseSizes, Engine } from '@switchyard/engine'

/** Counters the process keeps, rendered with the engine's gauges in Prometheus text format. */
export class Metrics {
  readonly httpRequests = new Map<string, number>()
  readonly deliveries = new Map<string, number>()

  countRequest(status: number): void {
    const key = `${Math.floor(status / 100)}xx`
    this.httpRequests.set(key, (this.httpRequests.get(key) ?? 0) + 1)
  }

  countDelivery(outcome: string): void {
    this.deliveries.set(outcome, (this.deliveries.get(outcome) ?? 0) + 1)
  }

  async render(engine: Engine, extra: { outboxPending: number; deliveriesPending?: number; sizes?: DatabaseSizes }): Promise<string> {
    const lag = await engine.lag()
    const { timers } = await engine.pending()
    const lines: string[] = []
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`)
    }
    const c = engine.counters
    metric('switchyard_events_accepted_total', 'counter', 'Events stored in the journal.', [['', c.eventsAccepted]])
    metric('switchyard_events_duplicate_total', 'counter', 'Events refused as duplicates of a stored messageId.', [['', c.eventsDuplicate]])
    metric('switchyard_events_applied_total', 'counter', 'Journal events applied by the engine.', [['', c.eventsApplied]])
    metric('switchyard_events_set_aside_total', 'counter', 'Journal events that failed to apply on their own and were passed over (the server log names each).', [['', c.eventsSetAside]])
    metric('switchyard_timers_fired_total', 'counter', 'Timers fired.', [['', c.timersFired]])
    metric('switchyard_engine_lag_events', 'gauge', 'Journal events accepted but not applied yet.', [['', lag.pending]])
    metric('switchyard_timers_pending', 'gauge', 'Timers waiting to fall due.', [['', timers]])
    metric('switchyard_outbox_pending', 'gauge', 'Side effects committed but not handed to a dispatcher yet.', [['', extra.outboxPending]])
    if (extra.deliveriesPending !== undefined) {
      metric('switchyard_webhook_deliveries_pending', 'gauge', 'Webhook deliveries waiting to be sent or retried.', [['', extra.deliveriesPending]])
    }
    if (extra.sizes !== undefined) {
      metric('switchyard_journal_rows', 'gauge', 'Events kept in the journal.', [['', extra.sizes.journalRows]])
      metric('switchyard_history_rows', 'gauge', 'History rows kept for runs.', [['', extra.sizes.historyRows]])
      metric('switchyard_database_bytes', 'gauge', 'Bytes of the database file plus its WAL.', [['', extra.sizes.databaseBytes]])
    }
    metric(
      'switchyard_webhook_deliveries_total',
      'counter',
      'Webhook delivery attempts by outcome.',
      [...this.deliveries].map(([outcome, n]) => [`{outcome="${outcome}"}`, n]),
    )
    metric(
      'switchyard_http_requests_total',
      'counter',
      'HTTP answers by status class.',
      [...this.httpRequests].map(([cls, n]) => [`{status="${cls}"}`, n]),
    )
    return `${lines.join('\n')}\n`
  }
}
