/**
 * A read whose cost grows with the data (a GROUP BY over every message of a journey) and that
 * screens poll every few seconds: each answer is reused for `factor` times as long as it took to
 * compute, up to `maxMs`, and callers asking while it is computed share that computation. A fast
 * read is thus fresh at once, and a slow one costs at most about 1/(factor+1) of the thread that
 * serves it, however many screens poll. Time is read from `now` only, so a test's clock drives it.
 */
export function costBoundedCache<V>(load: (key: string) => Promise<V>, opts: { now: () => number; factor?: number; maxMs?: number; maxKeys?: number }): (key: string) => Promise<V> {
  const factor = opts.factor ?? 10
  const maxMs = opts.maxMs ?? 30_000
  const maxKeys = opts.maxKeys ?? 1_000
  const done = new Map<string, { value: V; until: number }>()
  const pending = new Map<string, Promise<V>>()
  return (key) => {
    const hit = done.get(key)
    if (hit !== undefined && opts.now() < hit.until) return Promise.resolve(hit.value)
    const running = pending.get(key)
    if (running !== undefined) return running
    const started = opts.now()
    const p = load(key).then(
      (value) => {
        pending.delete(key)
        const finished = opts.now()
        const keep = Math.min(maxMs, (finished - started) * factor)
        done.delete(key)
        if (keep > 0) {
          const oldest = done.keys().next()
          if (done.size >= maxKeys && !oldest.done) done.delete(oldest.value)
          done.set(key, { value, until: finished + keep })
        }
        return value
      },
      (error: unknown) => {
        pending.delete(key)
        throw error
      },
    )
    pending.set(key, p)
    return p
  }
}
