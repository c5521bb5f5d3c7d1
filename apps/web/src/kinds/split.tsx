import { memo, type ReactElement } from 'react'
import { formatDuration, own } from '@switchyard/schema'
import { readDuration, readRecord } from '../flow/nodeData'
import { NODE_WIDTH } from '../flow/size'
import type { NodeData } from '../flow/types'
import { useEditor } from '../editor/store'
import type { CanvasKind } from './kind'
import { branchName, formatPercent, readBranches } from './splitBranches'
import { SplitForm } from './splitForm'
import './split.css'

/**
 * Once the journey has figures: per branch, the users who took it and their goal conversion rate,
 * and the winner starred once the engine chose it. (Before that the outlet labels say it all.)
 */
const SplitCard = memo(function SplitCard({ id, data }: { id: string; data: NodeData }): ReactElement | null {
  const stats = useEditor((s) => own(s.stats?.nodes, id))
  const hasStats = useEditor((s) => s.stats !== null)
  if (!hasStats) return null
  const winner = stats?.winner
  return (
    <ul className="split-branches" data-testid="split-branches">
      {readBranches(data).map((b) => {
        const figures = own(stats?.branches, b.id)
        const entered = figures?.entered ?? own(stats?.outlets, b.id) ?? 0
        const converted = figures?.converted ?? 0
        const won = winner === b.id
        return (
          <li
            key={b.id}
            className={won ? 'split-branch winner' : 'split-branch'}
            data-testid="split-branch"
            data-branch-id={b.id}
            title={`${entered} users took ${branchName(b)}; ${converted} of them reached the goal${won ? '. The winner: every new arrival takes it' : ''}`}
          >
            <span className="branch-name">
              {won ? (
                <span className="branch-winner" data-testid="branch-winner">
                  ★
                </span>
              ) : null}
              {branchName(b)}
            </span>
            <span className="branch-figures">
              <strong data-testid="branch-entered">{entered.toLocaleString()}</strong> users
            </span>
            <span className="branch-rate" data-testid="branch-rate">
              {entered > 0 ? `${((converted / entered) * 100).toFixed(1)}%` : '–'}
            </span>
          </li>
        )
      })}
    </ul>
  )
})

export const splitCanvas: CanvasKind<'split'> = {
  type: 'split',
  color: '#4f46e5',
  tint: '#eef0ff',
  idPrefix: 'split',
  initialData: () => ({
    branches: [
      { id: 'a', label: 'A', percent: 50 },
      { id: 'b', label: 'B', percent: 50 },
    ],
  }),
  icon: 'M12 21v-7m0 0L5 7m7 7 7-7M5 7V3m14 4V3M12 14V3',
  hint: 'A/B test or random cohorts',
  inlet: true,
  waits: false,
  summary(data) {
    const count = readBranches(data).length
    const after = readDuration(readRecord(data, 'winner'), 'after')
    return `${count} branch${count === 1 ? '' : 'es'}${after ? `; the best wins after ${formatDuration(after)}` : ', by chance'}`
  },
  outletLabel(outlet, data) {
    const b = readBranches(data).find((x) => x.id === outlet)
    return b ? branchName(b) : outlet
  },
  outletNote(outlet, data) {
    const b = readBranches(data).find((x) => x.id === outlet)
    return b ? formatPercent(b.percent) : ''
  },
  // Room for each branch's outlet label and share: 48px each beyond five branches.
  width: (data) => Math.max(NODE_WIDTH, readBranches(data).length * 48),
  Card: SplitCard,
  Form: SplitForm,
}
