import type { ReactElement } from 'react'
import { editor, useEditor, type PanelTab } from './store'
import { NodePanel } from './panel/NodePanel'
import { JourneyPanel } from './panel/JourneyPanel'
import { UsersPanel } from './panel/UsersPanel'
import { TestTab } from './test-tab/TestTab'

const TABS: readonly (readonly [PanelTab, string])[] = [
  ['node', 'Step'],
  ['journey', 'Journey'],
  ['users', 'Users'],
  ['test', 'Test'],
]

export function SidePanel({ journeyId, onFold }: { journeyId: string; onFold: () => void }): ReactElement {
  const tab = useEditor((s) => s.tab)
  const issueCount = useEditor((s) => s.issues.all.length)
  const inspecting = useEditor((s) => s.inspection !== null)
  return (
    <aside className="side-panel" data-testid="side-panel">
      <nav className="tabs" role="tablist">
        {TABS.map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} className={tab === id ? 'tab on' : 'tab'} onClick={() => editor.setTab(id)} data-testid={`tab-${id}`}>
            {label}
            {id === 'journey' && issueCount > 0 ? <span className="tab-badge">{issueCount}</span> : null}
            {id === 'users' && inspecting ? <span className="tab-dot" /> : null}
          </button>
        ))}
        <button type="button" className="panel-fold" onClick={onFold} title="Hide the side panel" aria-label="Hide the side panel" data-testid="panel-fold">
          ›
        </button>
      </nav>
      <div className="panel-body">
        {tab === 'node' ? <NodePanel /> : null}
        {tab === 'journey' ? <JourneyPanel /> : null}
        {tab === 'users' ? <UsersPanel journeyId={journeyId} /> : null}
        {tab === 'test' ? <TestTab journeyId={journeyId} /> : null}
      </div>
    </aside>
  )
}
