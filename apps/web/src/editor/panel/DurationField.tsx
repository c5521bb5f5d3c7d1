import type { ReactElement } from 'react'
import { DURATION_UNITS, DurationUnit, isDurationInRange, type Duration } from '@switchyard/schema'

/** An amount and a unit; says at once when the duration is outside 1 second to 1 year. */
export function DurationField(props: { label: string; value: Duration | null; onChange: (d: Duration) => void; testId: string; hint?: string }): ReactElement {
  const value = props.value ?? { amount: 1, unit: 'hours' }
  const outOfRange = props.value !== null && !isDurationInRange(value)
  return (
    <div className="field">
      <span>{props.label}</span>
      <div className="duration">
        <input
          type="number"
          min={1}
          step={1}
          value={Number.isFinite(value.amount) ? value.amount : ''}
          onChange={(e) => props.onChange({ amount: e.target.value === '' ? 0 : Number(e.target.value), unit: value.unit })}
          data-testid={`${props.testId}-amount`}
          aria-label={`${props.label} amount`}
        />
        <select
          value={value.unit}
          onChange={(e) => {
            const unit = DurationUnit.safeParse(e.target.value)
            if (unit.success) props.onChange({ amount: value.amount, unit: unit.data })
          }}
          data-testid={`${props.testId}-unit`}
          aria-label={`${props.label} unit`}
        >
          {DURATION_UNITS.map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
      </div>
      {outOfRange ? <small className="error-text">Use a duration from 1 second to 1 year.</small> : props.hint ? <small className="muted">{props.hint}</small> : null}
    </div>
  )
}
