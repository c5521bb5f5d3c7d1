/**
 * Group commit for small writes: the calls made in one turn of the event loop share one `write`
 * (one transaction), each caller hearing back its own answer once that write is done, or its
 * error. `write` answers one result per item, in order.
 */
export function coalesce<T, R>(write: (items: T[]) => Promise<R[]>): (item: T) => Promise<R> {
  let queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = []
  const flush = async (): Promise<void> => {
    const taken = queue
    queue = []
    try {
      const results = await write(taken.map((q) => q.item))
      taken.forEach((q, i) => q.resolve(results[i] as R))
    } catch (error) {
      for (const q of taken) q.reject(error)
    }
  }
  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject })
      if (queue.length === 1) setImmediate(() => void flush())
    })
}
