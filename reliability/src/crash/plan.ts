import { pick, seeded } from '../rng'

/** One Segment call as the load generator sends it inside a `/v1/batch` body. */
export type PlannedEvent =
  | { type: 'track'; messageId: string; userId: string; event: string; properties: Record<string, unknown> }
  | { type: 'identify'; messageId: string; userId: string; traits: Record<string, unknown> }

export type UserKind = 'buyer' | 'idler' | 'shopper' | 'browser'

/**
 * What the load generator sends, fixed by a seed. Each user appears at most once per wave and
 * waves go out one after another, so a user's events reach the server in plan order whatever
 * happens to the requests; only the interleaving across users varies.
 */
export interface Plan {
  seed: number
  users: { id: string; kind: UserKind }[]
  /** Each wave is a list of request bodies (arrays of events), sent in any order. */
  waves: PlannedEvent[][][]
  /** Distinct message ids in the plan; the same id sent twice on purpose counts once. */
  messageIds: Set<string>
  /** Each user's events in the order they are sent, duplicates included. */
  perUser: Map<string, PlannedEvent[]>
}

export function makePlan(seed: number, userCount: number, usersPerRequest = 25): Plan {
  const random = seeded(seed)
  const users = Array.from({ length: userCount }, (_, i) => ({
    id: `u${String(i).padStart(5, '0')}`,
    kind: pick<UserKind>(random, ['buyer', 'buyer', 'buyer', 'buyer', 'idler', 'idler', 'idler', 'shopper', 'shopper', 'browser']),
  }))
  let n = 0
  const id = (user: string) => `crash-${seed}-${user}-${++n}`
  const track = (userId: string, event: string, properties: Record<string, unknown> = {}): PlannedEvent => ({
    type: 'track',
    messageId: id(userId),
    userId,
    event,
    properties,
  })
  const identify = (userId: string, traits: Record<string, unknown>): PlannedEvent => ({ type: 'identify', messageId: id(userId), userId, traits })

  const first = new Map<string, PlannedEvent[]>()
  const second = new Map<string, PlannedEvent[]>()
  for (const u of users) {
    const plan = random() < 0.5 ? 'pro' : 'free'
    switch (u.kind) {
      case 'buyer': {
        const signup = track(u.id, 'signup', { source: 'crash' })
        first.set(u.id, [identify(u.id, { plan }), signup, track(u.id, 'purchase', { amount: Math.round(random() * 100) })])
        // A second run, and the first signup again with its old id: stored once, so no third run.
        if (random() < 0.4) second.set(u.id, [signup, track(u.id, 'signup'), track(u.id, 'purchase', { amount: 1 })])
        break
      }
      case 'idler':
        first.set(u.id, [identify(u.id, { plan }), track(u.id, 'signup')])
        break
      case 'shopper':
        // A checkout during the 1 s delay is not waited for yet: ignored, whatever the timing.
        first.set(u.id, random() < 0.5 ? [track(u.id, 'add_to_cart')] : [track(u.id, 'add_to_cart'), track(u.id, 'checkout')])
        break
      case 'browser':
        first.set(u.id, [identify(u.id, { plan, city: 'Pune' }), track(u.id, 'page_view', { path: '/' })])
        break
    }
  }
  const shuffle = <T>(items: T[]): T[] => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      const a = items[i]
      const b = items[j]
      if (a !== undefined && b !== undefined) {
        items[i] = b
        items[j] = a
      }
    }
    return items
  }
  const requests = (byUser: Map<string, PlannedEvent[]>): PlannedEvent[][] => {
    const ids = shuffle([...byUser.keys()])
    const out: PlannedEvent[][] = []
    for (let i = 0; i < ids.length; i += usersPerRequest) out.push(ids.slice(i, i + usersPerRequest).flatMap((u) => byUser.get(u) ?? []))
    return out
  }
  const waves = [requests(first), requests(second)]
  const perUser = new Map<string, PlannedEvent[]>()
  const messageIds = new Set<string>()
  for (const wave of waves) {
    for (const body of wave) {
      for (const e of body) {
        messageIds.add(e.messageId)
        const list = perUser.get(e.userId) ?? []
        list.push(e)
        perUser.set(e.userId, list)
      }
    }
  }
  return { seed, users, waves, messageIds, perUser }
}
