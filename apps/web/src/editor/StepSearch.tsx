import { useReactFlow } from '@xyflow/react'
import { useState, type ReactElement } from 'react'
import { labelOfType } from '../kinds'
import { NodeIcon } from '../kinds/NodeIcon'
import { NODE_WIDTH } from '../flow/size'
import { editor, useEditor } from './store'

/** Ctrl+K: find a step by its name or kind and jump to it, selected, at a readable zoom. */
export function StepSearch({ onClose }: { onClose: () => void }): ReactElement {
  const flow = useReactFlow()
  const nodes = useEditor((s) => s.nodes)
  const labels = useEditor((s) => s.labels)
  const [query, setQuery] = useState('')
  const [active, setActive] = useState(0)
  const q = query.trim().toLowerCase()
  const found = nodes
    .filter((n) => q === '' || (labels[n.id] ?? '').toLowerCase().includes(q) || labelOfType(n.type).toLowerCase().includes(q))
    .slice(0, 12)
  const jump = (id: string) => {
    const n = nodes.find((x) => x.id === id)
    if (!n) return
    editor.selectOnly(id)
    void flow.setCenter(n.position.x + (n.measured?.width ?? NODE_WIDTH) / 2, n.position.y + (n.measured?.height ?? 120) / 2, { zoom: Math.max(flow.getZoom(), 1), duration: 200 })
    onClose()
  }
  return (
    <div className="modal-backdrop search-backdrop" onMouseDown={onClose}>
      <div className="step-search" onMouseDown={(e) => e.stopPropagation()} role="dialog" aria-label="Find a step" data-testid="step-search">
        <input
          autoFocus
          value={query}
          placeholder="Find a step by name…"
          onChange={(e) => {
            setQuery(e.target.value)
            setActive(0)
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onClose()
            else if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, found.length - 1))
            else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0))
            else if (e.key === 'Enter' && found[active]) jump(found[active].id)
            else return
            e.preventDefault()
          }}
          data-testid="step-search-input"
        />
        <ul>
          {found.map((n, i) => (
            <li key={n.id}>
              <button type="button" className={i === active ? 'on' : ''} onClick={() => jump(n.id)} data-testid="step-search-result" data-node-id={n.id}>
                <NodeIcon type={n.type ?? ''} size={13} />
                <strong>{labels[n.id]}</strong>
                <span className="muted small">{labelOfType(n.type)}</span>
              </button>
            </li>
          ))}
          {found.length === 0 ? <li className="muted small">No step is called that.</li> : null}
        </ul>
      </div>
    </div>
  )
}
