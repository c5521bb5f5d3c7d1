import type { NodeType } from '@switchyard/schema'
import { actionEngine } from './action'
import { conditionEngine } from './condition'
import { delayEngine } from './delay'
import { exitEngine } from './exit'
import type { EngineKind, GuardImpls } from './kind'
import { splitEngine } from './split'
import { triggerEngine } from './trigger'
import { waitForEventEngine } from './wait'
import { webhookEngine } from './webhook'

/** What the engine does for each node kind; a kind missing here does not compile. */
export const ENGINE_KINDS: { readonly [T in NodeType]: EngineKind<T> } = {
  trigger: triggerEngine,
  action: actionEngine,
  waitForEvent: waitForEventEngine,
  webhook: webhookEngine,
  delay: delayEngine,
  condition: conditionEngine,
  split: splitEngine,
  exit: exitEngine,
}

/** Every kind's guards in one table, as the machines' setup takes them. */
export function allGuards(): GuardImpls {
  const table: Partial<GuardImpls> = {}
  for (const kind of Object.values(ENGINE_KINDS)) Object.assign(table, kind.guards)
  if (!isComplete(table)) throw new Error('a guard the compiler names has no implementation in any engine kind')
  return table
}

/** Every guard type the compiler names: a new one fails to compile here until it is listed. */
const GUARD_TYPES: Record<keyof GuardImpls, true> = { eventMatches: true, activityMatches: true, timerIs: true, conditionHolds: true, branchIs: true }

function isComplete(table: Partial<GuardImpls>): table is GuardImpls {
  return Object.keys(GUARD_TYPES).every((t) => typeof Reflect.get(table, t) === 'function')
}
