import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { createMessageStore } from './message-store'
import { migrateChannels } from './migrations'

describe('message retention', () => {
  it('deletes finished messages created before the cutoff, a batch at a time, never one being sent', () => {
    let now = 1_000
    const db = new Database(':memory:')
    migrateChannels(db, now)
    const store = createMessageStore(db, () => now)
    const attempt = (id: string) => ({ id, providerId: 'sandbox', providerKind: 'sandbox', channel: 'sms' as const, userId: 'ann', journeyId: 'j', runId: 'r', nodeId: 'm', recipient: null, content: { text: 'Hi' } })
    for (const id of ['old-sent', 'old-failed', 'old-sending']) store.begin(attempt(id))
    store.markSent('old-sent', null)
    store.markFailed('old-failed', 'no')
    now = 5_000
    store.begin(attempt('new-sent'))
    store.markSent('new-sent', null)

    expect(store.prune(2_000, 1)).toBe(1)
    expect(store.prune(2_000, 10)).toBe(1)
    expect(store.prune(2_000, 10)).toBe(0)
    expect(['old-sent', 'old-failed', 'old-sending', 'new-sent'].map((id) => store.get(id)?.status ?? null)).toEqual([null, null, 'sending', 'sent'])
  })
})
