import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrateChannels } from './migrations'
import { createSqliteMessageStore } from './sqlite-message-store'

describe('message retention', () => {
  it('deletes finished messages created before the cutoff, a batch at a time, never one being sent', async () => {
    let now = 1_000
    const db = new Database(':memory:')
    migrateChannels(db, now)
    const store = createSqliteMessageStore(db, () => now)
    const attempt = (id: string) => ({ id, providerId: 'sandbox', providerKind: 'sandbox', channel: 'sms' as const, userId: 'ann', journeyId: 'j', runId: 'r', nodeId: 'm', recipient: null, content: { text: 'Hi' } })
    for (const id of ['old-sent', 'old-failed', 'old-sending']) await store.begin([attempt(id)])
    await store.finish([{ id: 'old-sent', providerMessageId: null }])
    await store.finish([{ id: 'old-failed', error: 'no' }])
    now = 5_000
    await store.begin([attempt('new-sent')])
    await store.finish([{ id: 'new-sent', providerMessageId: null }])

    expect(await store.prune(2_000, 1)).toBe(1)
    expect(await store.prune(2_000, 10)).toBe(1)
    expect(await store.prune(2_000, 10)).toBe(0)
    expect(await Promise.all(['old-sent', 'old-failed', 'old-sending', 'new-sent'].map(async (id) => (await store.get(id))?.status ?? null))).toEqual([null, null, 'sending', 'sent'])
  })
})
