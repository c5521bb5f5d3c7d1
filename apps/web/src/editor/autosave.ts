import { useEffect } from 'react'
import { api } from '../api/endpoints'
import { errorMessage } from '../api/client'
import { currentDraft, editor, useEditor } from './store'

const DEBOUNCE_MS = 700

let timer: ReturnType<typeof setTimeout> | undefined
let inflight: Promise<void> | null = null

/** Saves the draft now if it changed since the last save; resolves once the server has it (or refused it). */
export async function flushSave(journeyId: string): Promise<boolean> {
  if (timer !== undefined) clearTimeout(timer)
  timer = undefined
  while (inflight) await inflight
  const s = useEditor.getState()
  if (s.savedSeq === s.editSeq) return s.saveState !== 'error'
  const seq = s.editSeq
  editor.saving()
  inflight = api
    .saveJourney(journeyId, currentDraft())
    .then(
      (journey) => editor.saved(seq, journey),
      (e: unknown) => editor.saveFailed(errorMessage(e)),
    )
    .finally(() => {
      inflight = null
    })
  await inflight
  const after = useEditor.getState()
  if (after.saveState === 'error') return false
  if (after.editSeq !== seq) schedule(journeyId)
  return true
}

function schedule(journeyId: string): void {
  if (timer !== undefined) clearTimeout(timer)
  timer = setTimeout(() => {
    timer = undefined
    void flushSave(journeyId)
  }, DEBOUNCE_MS)
}

/** Drafts autosave: every edit schedules a debounced PUT; leaving the page with unsaved edits warns. */
export function useAutosave(journeyId: string): void {
  useEffect(() => {
    const unsubscribe = useEditor.subscribe((s, prev) => {
      if (s.editSeq !== prev.editSeq && s.journey) schedule(journeyId)
    })
    const beforeUnload = (e: BeforeUnloadEvent) => {
      const s = useEditor.getState()
      if (s.editSeq !== s.savedSeq) {
        void flushSave(journeyId)
        e.preventDefault()
      }
    }
    window.addEventListener('beforeunload', beforeUnload)
    return () => {
      unsubscribe()
      window.removeEventListener('beforeunload', beforeUnload)
      void flushSave(journeyId)
    }
  }, [journeyId])
}
