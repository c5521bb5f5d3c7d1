import type { ReactElement } from 'react'

const LABELS: Record<string, string> = { draft: 'Draft', live: 'Live', paused: 'Paused', active: 'Active', completed: 'Completed', exited: 'Exited' }

export function StatusPill({ status }: { status: string }): ReactElement {
  return (
    <span className={`pill pill-${status}`} data-testid="status-pill">
      {LABELS[status] ?? status}
    </span>
  )
}
