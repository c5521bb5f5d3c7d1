import type { NodeOf, NodeType } from '@switchyard/schema'
import type { StateJson } from '../machine'
import { compileAction } from './action'
import { compileCondition } from './condition'
import { compileDelay } from './delay'
import { compileExit } from './exit'
import type { Leaving } from './leave'
import { compileSplit } from './split'
import { compileTrigger } from './trigger'
import { compileWaitForEvent } from './wait'
import { compileWebhook } from './webhook'

/** A kind's compiler: its node, and how it leaves by its outlets, to its machine state. */
export type CompileKind<T extends NodeType> = (node: NodeOf<T>, out: Leaving) => StateJson

/** One compiler per node kind; a kind missing here does not compile. */
export const COMPILE_KINDS: { readonly [T in NodeType]: CompileKind<T> } = {
  trigger: compileTrigger,
  action: compileAction,
  waitForEvent: compileWaitForEvent,
  webhook: compileWebhook,
  delay: compileDelay,
  condition: compileCondition,
  split: compileSplit,
  exit: compileExit,
}
