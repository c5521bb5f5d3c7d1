import { useCallback, useEffect, useState } from 'react'
import { errorMessage } from './client'

export interface RemoteList<T> {
  /** null until the first answer. */
  items: T[] | null
  error: string | null
  setError: (error: string | null) => void
  /** The server does not offer this list (an older or smaller deployment). */
  unavailable: boolean
  reload: () => void
}

/**
 * A list read from the API, with its error, reloaded on demand and, when `refreshMs` is given,
 * on a timer while the page is open. `load` and `isUnavailable` must be stable functions.
 */
export function useRemoteList<T>(load: () => Promise<T[]>, options: { refreshMs?: number; isUnavailable?: (error: unknown) => boolean } = {}): RemoteList<T> {
  const [items, setItems] = useState<T[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [unavailable, setUnavailable] = useState(false)
  const { refreshMs, isUnavailable } = options
  const reload = useCallback(() => {
    load().then(
      (next) => {
        setItems(next)
        setError(null)
        setUnavailable(false)
      },
      (e: unknown) => {
        if (isUnavailable?.(e)) setUnavailable(true)
        else setError(errorMessage(e))
      },
    )
  }, [load, isUnavailable])
  useEffect(() => {
    reload()
    if (refreshMs === undefined) return undefined
    const t = window.setInterval(reload, refreshMs)
    return () => window.clearInterval(t)
  }, [reload, refreshMs])
  return { items, error, setError, unavailable, reload }
}
