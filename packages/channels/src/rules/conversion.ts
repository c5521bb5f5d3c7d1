import { durationMs, evaluateCondition, type Condition, type Duration } from '@switchyard/schema'

export interface Goal {
  event: string
  where?: Condition
  within: Duration
}

export interface GoalEvent {
  name: string
  properties?: Record<string, unknown>
  /** ms since the epoch. */
  timestamp: number
}

/**
 * Whether an event converts a run that entered at `enteredAt`: the goal's event, matching its
 * `where` (on `event.*` and `user.*`), from entry until the end of the conversion window.
 */
export function isConversion(event: GoalEvent, goal: Goal, enteredAt: number, user?: { id: string; traits: Record<string, unknown> }): boolean {
  if (event.name !== goal.event) return false
  if (event.timestamp < enteredAt || event.timestamp > enteredAt + durationMs(goal.within)) return false
  if (goal.where === undefined) return true
  return evaluateCondition(goal.where, {
    event: { name: event.name, properties: event.properties ?? {}, timestamp: event.timestamp },
    user: user ?? {},
  })
}
