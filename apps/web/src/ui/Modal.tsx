import { useEffect, type ReactElement, type ReactNode } from 'react'
import { Icon } from './icons'

export function Modal(props: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; testId?: string; width?: number }): ReactElement {
  const { onClose } = props
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={props.title} data-testid={props.testId} style={props.width ? { width: props.width } : undefined}>
        <header className="modal-head">
          <h2>{props.title}</h2>
          <button type="button" className="icon-btn" onClick={onClose} aria-label="Close">
            <Icon name="close" />
          </button>
        </header>
        <div className="modal-body">{props.children}</div>
        {props.footer ? <footer className="modal-foot">{props.footer}</footer> : null}
      </div>
    </div>
  )
}
