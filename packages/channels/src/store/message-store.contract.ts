import { beforeEach, describe, expect, it } from 'vitest'
import type { Channel } from '@switchyard/schema'
import type { JoinedWrite } from '@switchyard/storage'
import type { MessageAttempt, MessageStore } from './message-store'

/** What a backend gives each contract test: a store on an empty table, and the clock it stamps with. */
export interface MessageStoreUnderTest {
  store: MessageStore
  /** Sets the time the store stamps writes with. */
  setNow(ms: number): void
  /** Runs a joined write in a transaction on the store's database, as another store owning it would; rolled back after it when asked. */
  joined(write: JoinedWrite, o?: { rollback?: boolean }): Promise<void>
}

const attempt = (id: string, over: Partial<MessageAttempt> = {}): MessageAttempt => ({
  id,
  providerId: 'prv_1',
  providerKind: 'http',
  channel: 'sms',
  userId: 'ann',
  journeyId: 'j1',
  runId: `run_${id}`,
  nodeId: 'm1',
  recipient: '+15550100',
  content: { text: 'Hi' },
  ...over,
})

/** The behaviour every MessageStore must have, whatever the database. `open` answers a store on an empty table. */
export function messageStoreContract(open: () => Promise<MessageStoreUnderTest>): void {
  let store: MessageStore
  let setNow: (ms: number) => void
  let joined: MessageStoreUnderTest['joined']
  beforeEach(async () => {
    ;({ store, setNow, joined } = await open())
    setNow(1000)
  })

  const sent = async (id: string, at: number, over: Partial<MessageAttempt> = {}, providerMessageId: string | null = `p_${id}`) => {
    setNow(at)
    const a = attempt(id, over)
    await store.begin([a])
    await store.finish([{ id, providerMessageId, content: a.content }])
  }

  describe('messages', () => {
    it('records an attempt as sending, counts retries of the same id, and keeps when it was first made', async () => {
      await store.begin([attempt('m1', { content: { text: 'first' } })])
      // The content is written with the result, once.
      expect(await store.get('m1')).toEqual({
        ...attempt('m1', { content: null }),
        status: 'sending',
        providerMessageId: null,
        error: null,
        attempts: 1,
        lastActivity: null,
        lastActivityAt: null,
        createdAt: 1000,
        updatedAt: 1000,
        sentAt: null,
      })
      await store.finish([{ id: 'm1', error: 'x'.repeat(3000), content: { text: 'first' } }])
      expect(await store.get('m1')).toMatchObject({ status: 'failed', error: 'x'.repeat(2000), content: { text: 'first' } })
      setNow(2000)
      // A retry keeps the last content until its own result brings one.
      await store.begin([attempt('m1', { providerId: 'prv_2', recipient: null, content: null })])
      expect(await store.get('m1')).toMatchObject({ status: 'sending', error: null, attempts: 2, providerId: 'prv_2', recipient: null, content: { text: 'first' }, createdAt: 1000, updatedAt: 2000 })
      await store.finish([{ id: 'm1', providerMessageId: 'SM1', content: { text: 'second' } }])
      expect(await store.get('m1')).toMatchObject({ status: 'sent', providerMessageId: 'SM1', content: { text: 'second' }, sentAt: 2000, updatedAt: 2000 })
      await store.finish([{ id: 'm1', providerMessageId: 'SM1' }])
      expect((await store.get('m1'))?.content).toEqual({ text: 'second' })
      expect(await store.get('m_none')).toBeNull()
    })

    it('records a batch of attempts and their mixed results, each with its own status, error and provider id', async () => {
      await store.begin([attempt('b1'), attempt('b2', { recipient: null, content: null }), attempt('b3')])
      setNow(1500)
      await store.finish([{ id: 'b1', providerMessageId: 'SM-b1' }, { id: 'b2', error: 'no address' }, { id: 'b3', providerMessageId: null }, { id: 'unknown', providerMessageId: 'x' }])
      const found = await store.getMany(['b1', 'b2', 'b3', 'unknown'])
      expect([...found.values()].map((m) => [m.id, m.status, m.providerMessageId, m.error, m.sentAt]).sort()).toEqual([
        ['b1', 'sent', 'SM-b1', null, 1500],
        ['b2', 'failed', null, 'no address', null],
        ['b3', 'sent', null, null, 1500],
      ])
      await store.begin([attempt('b2'), attempt('b2')])
      expect((await store.get('b2'))?.attempts).toBeGreaterThanOrEqual(2)
      expect(await store.begin([])).toBeUndefined()
      expect(await store.finish([])).toBeUndefined()
    })

    it("writes a batch's results inside another store's transaction, and none of them when it rolls back", async () => {
      await store.begin([attempt('j1'), attempt('j2')])
      setNow(1500)
      const results = [{ id: 'j1', providerMessageId: 'SM-j1', content: { text: 'Hi j1' } }, { id: 'j2', error: 'refused' }]
      await joined(store.finishing(results), { rollback: true })
      expect([...(await store.getMany(['j1', 'j2'])).values()].map((m) => m.status)).toEqual(['sending', 'sending'])
      await joined(store.finishing(results))
      const found = await store.getMany(['j1', 'j2'])
      expect(found.get('j1')).toMatchObject({ status: 'sent', providerMessageId: 'SM-j1', sentAt: 1500, content: { text: 'Hi j1' } })
      expect(found.get('j2')).toMatchObject({ status: 'failed', error: 'refused' })
    })

    it('finds many messages by our ids, leaving out the unknown', async () => {
      await sent('a', 1000)
      await sent('b', 1000)
      const found = await store.getMany(['a', 'b', 'zzz'])
      expect([...found.keys()].sort()).toEqual(['a', 'b'])
      expect(found.get('b')?.runId).toBe('run_b')
      expect(await store.getMany([])).toEqual(new Map())
    })

    it('maps provider ids back to the first message created with them, within one provider when asked', async () => {
      await sent('old', 1000, {}, 'SHARED')
      await sent('new', 2000, { providerId: 'prv_2' }, 'SHARED')
      await sent('solo', 3000, {}, 'ONLY')
      const all = await store.byProviderMessageIds(['SHARED', 'ONLY', 'NONE'])
      expect([...all.entries()].map(([k, m]) => [k, m.id]).sort()).toEqual([
        ['ONLY', 'solo'],
        ['SHARED', 'old'],
      ])
      const scoped = await store.byProviderMessageIds(['SHARED', 'ONLY'], 'prv_2')
      expect([...scoped.entries()].map(([k, m]) => [k, m.id])).toEqual([['SHARED', 'new']])
      expect(await store.byProviderMessageIds([])).toEqual(new Map())
    })

    it('finds nothing by an id with a NUL in it (receipts name ids from outside) instead of failing', async () => {
      await sent('a', 1000, {}, 'SM-a')
      expect(await store.get('a\u0000')).toBeNull()
      expect([...(await store.getMany(['a', 'a\u0000', '\u0000'])).keys()]).toEqual(['a'])
      expect([...(await store.byProviderMessageIds(['SM-a\u0000', 'SM-a'])).keys()]).toEqual(['SM-a'])
      expect(await store.byProviderMessageIds(['\u0000'], 'prv_1')).toEqual(new Map())
    })

    it('lists newest first, by user and channel, within the limit', async () => {
      await sent('a', 1000)
      await sent('b', 2000, { channel: 'email' })
      await sent('c', 3000, { userId: 'bob' })
      await sent('d', 3000)
      const ids = async (filter: { userId?: string; channel?: Channel; limit?: number }) => (await store.list(filter)).map((m) => m.id)
      expect(await ids({})).toEqual(['d', 'c', 'b', 'a'])
      expect(await ids({ userId: 'ann' })).toEqual(['d', 'b', 'a'])
      expect(await ids({ userId: 'ann', channel: 'sms' })).toEqual(['d', 'a'])
      expect(await ids({ limit: 2 })).toEqual(['d', 'c'])
      expect(await ids({ limit: 0 })).toEqual(['d'])
    })

    it('answers when a user was sent messages on a channel since a time, newest first, counting only sent ones', async () => {
      await sent('a', 1000)
      await sent('b', 3000)
      await sent('c', 2000)
      await sent('e', 2500, { channel: 'email' })
      await sent('f', 2600, { userId: 'bob' })
      setNow(4000)
      await store.begin([attempt('g')])
      expect(await store.sentTimestamps('ann', 'sms', 2000)).toEqual([3000, 2000])
      expect(await store.sentTimestamps('ann', 'sms', 0)).toEqual([3000, 2000, 1000])
      expect(await store.sentTimestamps('ann', 'whatsapp', 0)).toEqual([])
    })

    it('keeps the furthest activity each message reached, whatever order the reports come in', async () => {
      await sent('a', 1000)
      await sent('b', 1000)
      setNow(9000)
      await store.recordActivity([
        { id: 'a', status: 'clicked', at: 5000 },
        { id: 'a', status: 'delivered', at: 6000 },
        { id: 'b', status: 'delivered', at: 2000 },
        { id: 'b', status: 'opened', at: 3000 },
        { id: 'b', status: 'opened', at: 3500 },
        { id: 'zzz', status: 'opened', at: 3500 },
      ])
      expect(await store.get('a')).toMatchObject({ lastActivity: 'clicked', lastActivityAt: 5000, updatedAt: 9000 })
      expect(await store.get('b')).toMatchObject({ lastActivity: 'opened', lastActivityAt: 3500 })
      await store.recordActivity([{ id: 'b', status: 'delivered', at: 7000 }])
      expect(await store.get('b')).toMatchObject({ lastActivity: 'opened', lastActivityAt: 3500 })
      await store.recordActivity([{ id: 'b', status: 'bounced', at: 8000 }])
      expect(await store.get('b')).toMatchObject({ lastActivity: 'bounced', lastActivityAt: 8000 })
      await store.recordActivity([])
    })

    it('counts a journey messages per step at the furthest status each reached', async () => {
      await sent('d1', 1000)
      await sent('d2', 1000)
      await sent('o1', 1000)
      await sent('c1', 1000)
      await sent('b1', 1000)
      await sent('n1', 1000, { recipient: null })
      await sent('x1', 1000, { nodeId: 'm2' })
      await sent('other', 1000, { journeyId: 'j2' })
      await store.begin([attempt('s1')])
      await store.begin([attempt('f1')])
      await store.finish([{ id: 'f1', error: 'no' }])
      await store.recordActivity([
        { id: 'd1', status: 'delivered', at: 2000 },
        { id: 'd2', status: 'failed', at: 2000 },
        { id: 'o1', status: 'opened', at: 2000 },
        { id: 'c1', status: 'clicked', at: 2000 },
        { id: 'b1', status: 'bounced', at: 2000 },
      ])
      expect(await store.figures('j1')).toEqual({
        m1: { sent: 5, delivered: 3, opened: 2, clicked: 1, failed: 2, bounced: 1, noAddress: 1 },
        m2: { sent: 1, delivered: 0, opened: 0, clicked: 0, failed: 0, bounced: 0, noAddress: 0 },
      })
      expect(await store.figures('j_none')).toEqual({})
    })

    it('prunes finished messages created before the cutoff, a batch at a time, never one being sent', async () => {
      await sent('old-sent', 1000)
      await store.begin([attempt('old-failed')])
      await store.finish([{ id: 'old-failed', error: 'no' }])
      await store.begin([attempt('old-sending')])
      await sent('new-sent', 5000)
      expect(await store.prune(2000, 1)).toBe(1)
      expect(await store.prune(2000, 10)).toBe(1)
      expect(await store.prune(2000, 10)).toBe(0)
      const left = await store.getMany(['old-sent', 'old-failed', 'old-sending', 'new-sent'])
      expect([...left.keys()].sort()).toEqual(['new-sent', 'old-sending'])
    })
  })
}
