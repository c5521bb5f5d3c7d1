import pg from 'pg'

/**
 * LISTEN on a channel with a connection of its own, reconnecting after a loss (with a pause), so
 * processes sharing a database wake each other instead of polling. `stop()` ends it. What is
 * missed while disconnected is not replayed: listeners must also poll now and then.
 */
export function listen(url: string, channel: string, onNotify: () => void, onError?: (error: unknown) => void): { stop(): Promise<void> } {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`channel names are lower-case identifiers, not “${channel}”`)
  let client: pg.Client | null = null
  let stopped = false
  let retry: NodeJS.Timeout | null = null
  const connect = async (): Promise<void> => {
    if (stopped) return
    const c = new pg.Client({ connectionString: url, application_name: 'switchyard-listen' })
    c.on('notification', (m) => {
      if (m.channel === channel) onNotify()
    })
    c.on('error', (error) => {
      onError?.(error)
      reconnect(c)
    })
    c.on('end', () => reconnect(c))
    try {
      await c.connect()
      await c.query(`LISTEN ${channel}`)
      client = c
      // Anything appended while this connection was down.
      onNotify()
    } catch (error) {
      onError?.(error)
      reconnect(c)
    }
  }
  const reconnect = (c: pg.Client) => {
    if (client === c) client = null
    void c.end().catch(() => undefined)
    if (stopped || retry !== null) return
    retry = setTimeout(() => {
      retry = null
      void connect()
    }, 1000)
    retry.unref()
  }
  void connect()
  return {
    async stop() {
      stopped = true
      if (retry !== null) clearTimeout(retry)
      const c = client
      client = null
      await c?.end().catch(() => undefined)
    },
  }
}
