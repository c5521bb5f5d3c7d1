import type { ReactElement, ReactNode } from 'react'
import { Link } from './Link'

export function Logo(): ReactElement {
  return (
    <span className="logo">
      <svg width="22" height="22" viewBox="0 0 32 32" aria-hidden>
        <rect width="32" height="32" rx="8" fill="#4f46e5" />
        <path d="M9 10h8a5 5 0 0 1 0 10h-2M23 22h-8a5 5 0 0 1 0-10h2" stroke="white" strokeWidth="2.5" fill="none" strokeLinecap="round" />
      </svg>
      Switchyard
    </span>
  )
}

export function Shell(props: { active: string; children: ReactNode }): ReactElement {
  const tab = (page: string, to: string, label: string) => (
    <Link to={to} className={props.active === page ? 'nav-link active' : 'nav-link'} testId={`nav-${page}`}>
      {label}
    </Link>
  )
  return (
    <div className="shell">
      <header className="topnav">
        <Link to="/" className="brand">
          <Logo />
        </Link>
        <nav>
          {tab('journeys', '/', 'Journeys')}
          {tab('webhooks', '/settings/webhooks', 'Webhooks')}
          {tab('channels', '/settings/channels', 'Channels')}
        </nav>
      </header>
      <main className="page">{props.children}</main>
    </div>
  )
}
