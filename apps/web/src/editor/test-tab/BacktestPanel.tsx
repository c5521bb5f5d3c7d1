import { useState, type ReactElement } from 'react'
import { api } from '../../api/endpoints'
import { errorMessage } from '../../api/client'
import { currentDraft } from '../store'
import { clearBacktest, showBacktest, useBacktestCounts } from './backtest-counts'

const WEEK = 7 * 86_400_000

/**
 * Replays the last 7 days of stored events through the draft on the server's virtual clock and
 * puts the counts it would have had on the cards, until "Live counts" brings the real ones back.
 */
export function BacktestPanel({ journeyId }: { journeyId: string }): ReactElement {
  const shown = useBacktestCounts((s) => s.shown)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = async () => {
    setBusy(true)
    setError(null)
    const to = new Date()
    const draft = currentDraft()
    try {
      showBacktest(await api.backtest(journeyId, { graph: draft.graph, settings: draft.settings, from: new Date(to.getTime() - WEEK).toISOString(), to: to.toISOString() }))
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  const effects = shown ? Object.entries(shown.effects) : []
  return (
    <section className="stack tight backtest" data-testid="backtest-panel">
      <strong className="small">Backtest</strong>
      <p className="small muted">The last 7 days of stored events, replayed through this draft: the counts it would have had appear on the cards.</p>
      <div className="row">
        <button type="button" className="btn" onClick={() => void run()} disabled={busy} data-testid="backtest-run">
          {busy ? 'Replaying…' : 'Backtest the last 7 days'}
        </button>
        {shown ? (
          <button type="button" className="btn small" onClick={clearBacktest} data-testid="backtest-clear">
            Live counts
          </button>
        ) : null}
      </div>
      {error ? <div className="banner error small">{error}</div> : null}
      {shown ? (
        <div className="banner info small" data-testid="backtest-summary" data-events={shown.replayed.events}>
          {shown.replayed.events} events of {shown.replayed.users} users replayed; {shown.stats.journey?.entered ?? 0} entries, {shown.stats.journey?.converted ?? 0} goal conversions.
          {effects.length > 0 ? ` Sent: ${effects.map(([node, c]) => `${node} ${c.messages + c.webhooks}`).join(', ')}.` : ' Nothing would be sent.'}
        </div>
      ) : null}
    </section>
  )
}
