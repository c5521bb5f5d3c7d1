import type { JourneyAction, JourneyGuard } from './actions'

/** The JSON machine config the compiler emits; `setup(...).createMachine(config)` takes it as is. */
export interface TransitionJson {
  target: string
  guard?: JourneyGuard
  actions: JourneyAction[]
}

export interface StateJson {
  type?: 'final'
  /** The graph node this state stands for (absent for the synthetic end state). */
  meta?: { nodeId: string; nodeType: string }
  entry?: JourneyAction[]
  exit?: JourneyAction[]
  on?: { track?: TransitionJson[]; timer?: TransitionJson[] }
  always?: TransitionJson[]
}

export interface MachineJson {
  id: string
  initial: string
  states: Record<string, StateJson>
}
