import { useState, type ReactElement } from 'react'
import { SPLIT_MAX_BRANCHES, SPLIT_MIN_BRANCHES } from '@switchyard/schema'
import { readDuration, readRecord } from '../flow/nodeData'
import { editor, useEditor } from '../editor/store'
import { DurationField } from '../editor/panel/DurationField'
import { without, type FormProps } from '../editor/panel/fields'
import { Icon } from '../ui/icons'
import { addBranch, readBranches, removeBranch, setLabel, setPercent, type DraftBranch } from './splitBranches'

/** Branches to add, remove, name and weigh (always adding up to 100%), and the optional winner rule. */
export function SplitForm({ node, set }: FormProps): ReactElement {
  const d = node.data
  const branches = readBranches(d)
  const hasGoal = useEditor((s) => s.settings.goal !== undefined)
  const winner = readRecord(d, 'winner')
  const winnerOn = d.winner !== undefined
  const setBranches = (next: DraftBranch[], key: string) => set({ ...d, branches: next }, key)
  return (
    <div className="stack">
      <div className="field">
        <span>Branches</span>
        <ul className="plain-list" data-testid="branch-list">
          {branches.map((b) => (
            <li key={b.id} className="branch-row" data-testid="branch-row" data-branch-id={b.id}>
              <input
                className="grow"
                value={b.label ?? ''}
                placeholder={b.id}
                onChange={(e) => setBranches(setLabel(branches, b.id, e.target.value), `branches.${b.id}.label`)}
                aria-label={`Name of branch ${b.id}`}
                data-testid={`branch-label-${b.id}`}
              />
              <PercentInput value={b.percent} onChange={(p) => setBranches(setPercent(branches, b.id, p), `branches.${b.id}.percent`)} label={`Share of branch ${b.id}`} testId={`branch-percent-${b.id}`} />
              <button
                type="button"
                className="btn ghost small"
                onClick={() => setBranches(removeBranch(branches, b.id), `branches.remove.${b.id}`)}
                disabled={branches.length <= SPLIT_MIN_BRANCHES}
                title={branches.length <= SPLIT_MIN_BRANCHES ? `A split keeps at least ${SPLIT_MIN_BRANCHES} branches` : 'Remove this branch and its connection'}
                aria-label={`Remove branch ${b.id}`}
                data-testid={`branch-remove-${b.id}`}
              >
                <Icon name="close" size={14} />
              </button>
            </li>
          ))}
        </ul>
        <button
          type="button"
          className="btn small"
          onClick={() => setBranches(addBranch(branches), `branches.add.${branches.length}`)}
          disabled={branches.length >= SPLIT_MAX_BRANCHES}
          data-testid="branch-add"
        >
          <Icon name="plus" size={14} /> Add a branch
        </button>
        <small className="muted">
          Shares add up to 100%: changing one changes the branches below it (the last first). Adding a branch shares 100% evenly. Each user always gets the same branch.
        </small>
      </div>
      <div className="field">
        <label className="check">
          <input
            type="checkbox"
            checked={winnerOn}
            onChange={(e) => set(e.target.checked ? { ...d, winner: { after: { amount: 7, unit: 'days' }, metric: 'goal' } } : without(d, 'winner'), 'winner')}
            data-testid="split-winner-toggle"
          />
          Pick a winner by goal conversions
        </label>
        {winnerOn ? (
          <DurationField
            label="After"
            value={readDuration(winner, 'after')}
            onChange={(after) => set({ ...d, winner: { after, metric: 'goal' } }, 'winner.after')}
            testId="field-winner-after"
            hint="Counted from publishing. Then every new arrival takes the branch with the best goal conversion rate."
          />
        ) : null}
        {winnerOn && !hasGoal ? (
          <small className="error-text" data-testid="split-no-goal">
            This journey has no goal, so no winner can be picked: give it one under Goal in the{' '}
            <button type="button" className="link-btn" onClick={() => editor.setTab('journey')} data-testid="split-set-goal">
              journey settings
            </button>
            , or turn this off.
          </small>
        ) : null}
      </div>
    </div>
  )
}

/** A share in percent: shows what is typed, and passes on each valid number as it comes. */
function PercentInput(props: { value: number; onChange: (percent: number) => void; label: string; testId: string }): ReactElement {
  const [typed, setTyped] = useState<string | null>(null)
  return (
    <span className="percent-input">
      <input
        type="number"
        min={0.01}
        max={100}
        step={0.01}
        value={typed ?? String(props.value)}
        onChange={(e) => {
          setTyped(e.target.value)
          const n = Number(e.target.value)
          if (e.target.value !== '' && Number.isFinite(n) && n > 0) props.onChange(n)
        }}
        onBlur={() => setTyped(null)}
        aria-label={props.label}
        data-testid={props.testId}
      />
      %
    </span>
  )
}
