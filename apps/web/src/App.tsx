import type { ReactElement } from 'react'
import { useRoute } from './router'
import { JourneysPage } from './pages/JourneysPage'
import { WebhooksPage } from './pages/WebhooksPage'
import { ChannelsPage } from './pages/ChannelsPage'
import { EditorPage } from './editor/EditorPage'
import { Shell } from './ui/Shell'
import { TokenDialog } from './ui/TokenDialog'
import { Link } from './ui/Link'

export function App(): ReactElement {
  const route = useRoute()
  return (
    <>
      {route.page === 'editor' ? (
        <EditorPage key={route.journeyId} journeyId={route.journeyId} />
      ) : (
        <Shell active={route.page}>
          {route.page === 'journeys' ? <JourneysPage /> : null}
          {route.page === 'webhooks' ? <WebhooksPage /> : null}
          {route.page === 'channels' ? <ChannelsPage /> : null}
          {route.page === 'notFound' ? (
            <div className="empty">
              <h2>Nothing here</h2>
              <p>
                This address does not lead anywhere. <Link to="/">Back to journeys</Link>
              </p>
            </div>
          ) : null}
        </Shell>
      )}
      <TokenDialog />
    </>
  )
}
