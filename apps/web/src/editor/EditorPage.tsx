import { ReactFlowProvider } from '@xyflow/react'
import { useCallback, useEffect, useState, type ReactElement } from 'react'
import { api } from '../api/endpoints'
import { errorMessage } from '../api/client'
import { Link } from '../ui/Link'
import { Modal } from '../ui/Modal'
import { useAutosave } from './autosave'
import { Canvas } from './Canvas'
import { Palette } from './Palette'
import { usePolling } from './polling'
import { PublishDialog } from './PublishDialog'
import { SHORTCUTS, useShortcuts } from './shortcuts'
import { SidePanel } from './SidePanel'
import { StepSearch } from './StepSearch'
import { setProviders } from './providers'
import { usePanelFold } from './panelFold'
import { editor, useEditor } from './store'
import { TopBar } from './TopBar'

export function EditorPage({ journeyId }: { journeyId: string }): ReactElement {
  const [loadError, setLoadError] = useState<string | null>(null)
  const loaded = useEditor((s) => s.journey?.id === journeyId)
  const [publishing, setPublishing] = useState(false)
  const [help, setHelp] = useState(false)
  const showHelp = useCallback(() => setHelp(true), [])
  const [search, setSearch] = useState(false)
  const showSearch = useCallback(() => setSearch(true), [])

  const fold = usePanelFold()
  useAutosave(journeyId)
  usePolling(journeyId)
  useShortcuts(journeyId, showHelp, showSearch)

  useEffect(() => {
    editor.reset()
    api.getJourney(journeyId).then(
      (j) => editor.load(j),
      (e: unknown) => setLoadError(errorMessage(e)),
    )
    setProviders(null)
    api.listProviders().then(setProviders, () => setProviders(null))
    api.listWebhooks().then(
      (w) => editor.setWebhooks(w),
      () => undefined,
    )
  }, [journeyId])

  if (loadError) {
    return (
      <div className="empty full">
        <h2>This journey could not be opened</h2>
        <p className="muted">{loadError}</p>
        <Link to="/" className="btn">
          Back to journeys
        </Link>
      </div>
    )
  }
  return (
    <ReactFlowProvider>
      <div className="editor" data-testid="editor" data-journey-id={journeyId}>
        <TopBar journeyId={journeyId} onPublish={() => setPublishing(true)} onHelp={showHelp} />
        <div className={fold.folded ? 'editor-main folded' : 'editor-main'}>
          <Palette />
          {loaded ? <Canvas /> : <div className="canvas loading">Loading the journey…</div>}
          {fold.folded ? (
            <button type="button" className="panel-unfold" onClick={() => fold.setFolded(false)} title="Show the side panel" data-testid="panel-unfold">
              ‹
            </button>
          ) : (
            <SidePanel journeyId={journeyId} onFold={() => fold.setFolded(true)} />
          )}
        </div>
        <Notice />
        {search && loaded ? <StepSearch onClose={() => setSearch(false)} /> : null}
        {publishing ? <PublishDialog journeyId={journeyId} onClose={() => setPublishing(false)} /> : null}
        {help ? (
          <Modal title="Keyboard shortcuts" onClose={() => setHelp(false)}>
            <table className="shortcuts">
              <tbody>
                {SHORTCUTS.map(([k, v]) => (
                  <tr key={k}>
                    <td>
                      <kbd>{k}</kbd>
                    </td>
                    <td>{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Modal>
        ) : null}
      </div>
    </ReactFlowProvider>
  )
}

function Notice(): ReactElement | null {
  const notice = useEditor((s) => s.notice)
  useEffect(() => {
    if (!notice) return
    const t = setTimeout(() => editor.dismissNotice(), 4000)
    return () => clearTimeout(t)
  }, [notice])
  if (!notice) return null
  return (
    <div className={`toast ${notice.kind}`} role="status" data-testid="notice" onClick={editor.dismissNotice}>
      {notice.text}
    </div>
  )
}
