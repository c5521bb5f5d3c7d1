import type { ReactElement, ReactNode } from 'react'
import { navigate } from '../router'

export function Link(props: { to: string; children: ReactNode; className?: string; testId?: string }): ReactElement {
  return (
    <a
      href={props.to}
      className={props.className}
      data-testid={props.testId}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
        e.preventDefault()
        navigate(props.to)
      }}
    >
      {props.children}
    </a>
  )
}
