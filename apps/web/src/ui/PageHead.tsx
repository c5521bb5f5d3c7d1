import type { ReactElement, ReactNode } from 'react'

/** The title row of a top-level page: what it is, one sentence on what it is for, its main action. */
export function PageHead(props: { title: string; description: string; action?: ReactNode }): ReactElement {
  return (
    <div className="page-head">
      <div>
        <h1>{props.title}</h1>
        <p className="muted">{props.description}</p>
      </div>
      {props.action ?? null}
    </div>
  )
}
