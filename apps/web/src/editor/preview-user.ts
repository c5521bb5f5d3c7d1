import { create } from 'zustand'
import { api } from '../api/endpoints'

/** A real user's traits, for message previews: the inspected user's profile, or a simulated test user's. */
export interface PreviewUser {
  userId: string
  traits: Record<string, unknown>
  source: 'inspected' | 'simulated'
}

export const usePreviewUser = create<{ user: PreviewUser | null }>(() => ({ user: null }))

export function setPreviewUser(user: PreviewUser | null): void {
  usePreviewUser.setState({ user })
}

/** Loads an inspected user's profile; one never identified has no traits, and previews say what is missing. */
export async function loadInspectedTraits(userId: string): Promise<void> {
  const traits = await api.userProfile(userId).then(
    (p) => p.traits,
    () => ({}),
  )
  setPreviewUser({ userId, traits, source: 'inspected' })
}
