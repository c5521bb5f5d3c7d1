import { useEffect } from 'react'
import { api } from '../api/endpoints'
import { editor, RUNS_MAX, RUNS_PAGE, useEditor } from './store'
import { useBacktestCounts } from './test-tab/backtest-counts'
import { loadInspectedTraits } from './preview-user'

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
        // While the cards show a backtest's counts, live counts wait.
        if (useBacktestCounts.getState().shown === null) editor.setStats(stats)
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
      const limit = useEditor.getState().inspection?.page.limit ?? RUNS_PAGE
      api.user(journeyId, inspected, limit).then(
        (view) => {
          const s = useEditor.getState()
          if (stopped || s.inspection?.userId !== inspected) return
          editor.inspect(inspected, view.runs, s.inspection.runIndex, { limit, more: view.nextCursor !== null })
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
  const view = await api.user(journeyId, userId, RUNS_PAGE)
  editor.inspect(userId, view.runs, 0, { limit: RUNS_PAGE, more: view.nextCursor !== null })
  void loadInspectedTraits(userId)
  if (showPanel) editor.setTab('users')
  return view.runs.length
}

/** Shows the next older runs of the inspected user, up to the most the server answers at once. */
export async function showMoreRuns(journeyId: string): Promise<void> {
  const inspection = useEditor.getState().inspection
  if (!inspection) return
  const limit = Math.min(RUNS_MAX, inspection.page.limit + RUNS_PAGE)
  const view = await api.user(journeyId, inspection.userId, limit)
  const now = useEditor.getState().inspection
  if (now?.userId !== inspection.userId) return
  editor.inspect(inspection.userId, view.runs, now.runIndex, { limit, more: view.nextCursor !== null })
}
