import { useSyncExternalStore } from 'react'

export type Route =
  | { page: 'journeys' }
  | { page: 'editor'; journeyId: string }
  | { page: 'webhooks' }
  | { page: 'channels' }
  | { page: 'notFound' }

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '' || pathname === '/journeys') return { page: 'journeys' }
  const m = /^\/journeys\/([^/]+)\/?$/.exec(pathname)
  if (m?.[1]) return { page: 'editor', journeyId: decodeURIComponent(m[1]) }
  if (pathname === '/settings' || pathname === '/settings/webhooks') return { page: 'webhooks' }
  if (pathname === '/settings/channels') return { page: 'channels' }
  return { page: 'notFound' }
}

const listeners = new Set<() => void>()

function subscribe(fn: () => void): () => void {
  listeners.add(fn)
  window.addEventListener('popstate', fn)
  return () => {
    listeners.delete(fn)
    window.removeEventListener('popstate', fn)
  }
}

export function navigate(to: string): void {
  if (to === window.location.pathname + window.location.search) return
  window.history.pushState(null, '', to)
  for (const fn of listeners) fn()
}

function snapshot(): string {
  return window.location.pathname
}

export function useRoute(): Route {
  const path = useSyncExternalStore(subscribe, snapshot)
  return parseRoute(path)
}
