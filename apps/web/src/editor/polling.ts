import { useEffect } from 'react'
import { api } from '../api/endpoints'
import { editor, useEditor } from './store'

const STATS_MS = 2000
const USER_MS = 1500

/** Live counts and the inspected user's runs, refreshed while the journey is open. */
export function usePolling(journeyId: string): void {
  const published = useEditor((s) => s.journey?.version !== null && s.journey?.version !== undefined)
  const inspected = useEditor((s) => s.inspection?.userId ?? null)

  useEffect(() => {
    if (!published) return
    let stopped = false
    const tick = async () => {
      try {
        const [stats, journey] = await Promise.all([api.stats(journeyId), api.getJourney(journeyId)])
        if (stopped) return
        editor.setStats(stats)
        const current = useEditor.getState().journey
        if (current) editor.setJourney({ ...current, status: journey.status, version: journey.version, activeUsers: journey.activeUsers, hasUnpublishedChanges: journey.hasUnpublishedChanges })
      } catch {
        // The next tick tries again; counts stay as they were.
      }
    }
    void tick()
    const t = setInterval(() => void tick(), STATS_MS)
    return () => {
      stopped = true
      clearInterval(t)
    }
  }, [journeyId, published])

  useEffect(() => {
    if (!inspected) return
    let stopped = false
    const t = setInterval(() => {
      api.user(journeyId, inspected).then(
        (runs) => {
          const s = useEditor.getState()
          if (stopped || s.inspection?.userId !== inspected) return
          editor.inspect(inspected, runs, s.inspection.runIndex)
        },
        () => undefined,
      )
    }, USER_MS)
    return () => {
      stopped = true
      clearInterval(t)
    }
  }, [journeyId, inspected])
}

/** Opens the inspector on a user: loads their runs and draws the newest on the canvas. */
export async function inspectUser(journeyId: string, userId: string, showPanel = true): Promise<number> {
  const runs = await api.user(journeyId, userId)
  editor.inspect(userId, runs, 0)
  if (showPanel) editor.setTab('users')
  return runs.length
}
