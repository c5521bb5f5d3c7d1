import type { ReactElement } from 'react'

const LABELS = { untested: 'Not tested', passing: 'Passing', failing: 'Failing' } as const

export function TestStatus({ status }: { status: keyof typeof LABELS }): ReactElement {
  return (
    <span className={`test-status ${status}`} data-testid="webhook-test-status">
      <span className="dot" />
      {LABELS[status]}
    </span>
  )
}
