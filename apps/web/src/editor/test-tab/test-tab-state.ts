import { create } from 'zustand'
import type { SimulationAnswer } from '@switchyard/schema'

export interface TestUser {
  userId: string
  traits: string
}

export const UNTIL = ['+1d', '+7d', '+30d'] as const
export type Until = (typeof UNTIL)[number]

/**
 * What the Test tab holds, outside the component: switching to the Step tab (to read a message's
 * preview as the simulated user) and back keeps the users, the script and the last answer.
 */
export interface TestTabState {
  journeyId: string | null
  users: TestUser[]
  /** null: the default script, from the trigger's event. */
  script: string | null
  until: Until
  answer: SimulationAnswer | null
  /** The test traits of the last run, by user id. */
  traitsOf: Record<string, Record<string, unknown>>
  shown: string | null
  error: string | null
}

const fresh = (journeyId: string | null): TestTabState => ({
  journeyId,
  users: [{ userId: 'test-user-1', traits: '{\n  "FIRSTNAME": "Asha",\n  "EMAIL": "asha@example.com"\n}' }],
  script: null,
  until: '+30d',
  answer: null,
  traitsOf: {},
  shown: null,
  error: null,
})

export const useTestTab = create<TestTabState>(() => fresh(null))

export const testTab = {
  /** Another journey's state is dropped when the tab opens on this one. */
  open(journeyId: string): void {
    if (useTestTab.getState().journeyId !== journeyId) useTestTab.setState(fresh(journeyId))
  },
  set(patch: Partial<TestTabState>): void {
    useTestTab.setState(patch)
  },
  updateUsers(f: (users: TestUser[]) => TestUser[]): void {
    useTestTab.setState((s) => ({ users: f(s.users) }))
  },
}
