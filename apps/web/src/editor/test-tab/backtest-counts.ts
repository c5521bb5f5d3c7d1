import { create } from 'zustand'
import type { BacktestAnswer } from '@switchyard/schema'
import { editor } from '../store'

/** A backtest whose counts the cards show instead of the live ones, until cleared. */
export const useBacktestCounts = create<{ shown: BacktestAnswer | null }>(() => ({ shown: null }))

export function showBacktest(answer: BacktestAnswer): void {
  useBacktestCounts.setState({ shown: answer })
  editor.setStats(answer.stats)
}

/** Back to live counts: the next poll brings them (a draft never published has none). */
export function clearBacktest(): void {
  useBacktestCounts.setState({ shown: null })
  editor.setStats(null)
}
