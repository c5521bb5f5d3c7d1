import { useEffect, useState } from 'react'
import { useEditor } from './store'

const NARROW = '(max-width: 1279px)'

/**
 * Whether the side panel is folded away: by default below 1,280 px, so the canvas keeps its room;
 * the user's own choice wins, and choosing a step or a tab opens it again.
 */
export function usePanelFold(): { folded: boolean; setFolded: (v: boolean) => void } {
  const [narrow, setNarrow] = useState(() => window.matchMedia(NARROW).matches)
  const [choice, setChoice] = useState<boolean | null>(null)
  useEffect(() => {
    const q = window.matchMedia(NARROW)
    const on = () => setNarrow(q.matches)
    q.addEventListener('change', on)
    return () => q.removeEventListener('change', on)
  }, [])
  useEffect(
    () =>
      useEditor.subscribe((s, prev) => {
        // Opening a journey sets the tab too: that is not the user's choice.
        if (s.journey?.id !== prev.journey?.id) return
        const picked = s.nodes.some((n) => n.selected) && !prev.nodes.some((n) => n.selected)
        if (s.tab !== prev.tab || picked || (s.inspection !== null && prev.inspection === null)) setChoice(false)
      }),
    [],
  )
  return { folded: choice ?? narrow, setFolded: setChoice }
}
