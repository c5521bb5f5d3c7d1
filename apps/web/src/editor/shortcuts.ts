import { useEffect } from 'react'
import { editor } from './store'
import { flushSave } from './autosave'

export const SHORTCUTS: readonly (readonly [string, string])[] = [
  ['Delete / Backspace', 'Delete the selected steps or connections'],
  ['Ctrl/⌘ K', 'Find a step and jump to it'],
  ['Ctrl/⌘ A', 'Select every step'],
  ['Ctrl/⌘ C, X, V', 'Copy, cut, paste'],
  ['Ctrl/⌘ D', 'Duplicate the selection'],
  ['Ctrl/⌘ Z', 'Undo'],
  ['Ctrl/⌘ Shift Z or Ctrl Y', 'Redo'],
  ['Ctrl/⌘ S', 'Save now'],
  ['Shift L', 'Auto-layout'],
  ['Shift drag', 'Select several steps'],
  ['Esc', 'Clear the selection'],
  ['?', 'Show these shortcuts'],
]

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

export function useShortcuts(journeyId: string, showHelp: () => void, showSearch: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e.target) || document.querySelector('.modal')) return
      const mod = e.metaKey || e.ctrlKey
      const key = e.key.toLowerCase()
      if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) editor.deleteSelection()
      else if (mod && key === 'k') showSearch()
      // The steps, not the page's text.
      else if (mod && key === 'a') editor.selectAll()
      else if (mod && key === 'c') editor.copy()
      else if (mod && key === 'x') {
        if (editor.copy() > 0) editor.deleteSelection()
      } else if (mod && key === 'v') editor.paste()
      else if (mod && key === 'd') {
        if (editor.copy() > 0) editor.paste()
      } else if (mod && key === 'z' && !e.shiftKey) editor.undo()
      else if (mod && ((key === 'z' && e.shiftKey) || key === 'y')) editor.redo()
      else if (mod && key === 's') void flushSave(journeyId)
      else if (!mod && e.shiftKey && key === 'l') editor.layout()
      else if (!mod && e.key === '?') showHelp()
      else if (e.key === 'Escape') editor.selectOnly(null)
      else return
      e.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [journeyId, showHelp, showSearch])
}
