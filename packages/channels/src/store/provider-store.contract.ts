import { beforeEach, describe, expect, it } from 'vitest'
import type { ProviderInput } from '@switchyard/schema'
import type { ProviderStore } from './provider-store'

/** What a backend gives each contract test: a store on an empty table, and the table's rows as stored. */
export interface ProviderStoreUnderTest {
  store: ProviderStore
  setNow(ms: number): void
  /** Every stored row as text, for checking what reaches the disk. */
  rawRows(): Promise<string>
}

const sandbox = (name: string, channel: ProviderInput['channel'], isDefault?: boolean): ProviderInput => ({
  name,
  channel,
  kind: 'sandbox',
  config: {},
  ...(isDefault === undefined ? {} : { default: isDefault }),
})

const http = (name: string, over: Partial<Extract<ProviderInput, { kind: 'http' }>['config']> = {}, receiptSecret?: string | null): ProviderInput => ({
  name,
  channel: 'sms',
  kind: 'http',
  ...(receiptSecret === undefined ? {} : { receiptSecret }),
  config: { url: 'https://api.example.test/send', method: 'POST', body: '{}', timeoutMs: 5000, ...over },
})

/** The behaviour every ProviderStore must have, whatever the database. */
export function providerStoreContract(open: () => Promise<ProviderStoreUnderTest>): void {
  let store: ProviderStore
  let setNow: (ms: number) => void
  let rawRows: () => Promise<string>
  let clock = 1000
  beforeEach(async () => {
    ;({ store, setNow, rawRows } = await open())
    clock = 1000
    setNow(clock)
  })
  const tick = () => {
    clock += 1000
    setNow(clock)
  }

  describe('providers', () => {
    it('reads back what was created, oldest first, and null for an unknown id', async () => {
      const a = await store.create(sandbox('A', 'sms'))
      tick()
      const b = await store.create(sandbox('B', 'email'))
      expect(a).toMatchObject({ name: 'A', channel: 'sms', kind: 'sandbox', config: {}, receiptSecret: null, createdAt: 1000, updatedAt: 1000 })
      expect(a.id).toMatch(/^prv_/)
      expect(await store.get(b.id)).toEqual(b)
      expect((await store.list()).map((p) => p.name)).toEqual(['A', 'B'])
      expect(await store.get('prv_none')).toBeNull()
    })

    it('keeps secrets sealed at rest and opens them on read', async () => {
      const p = await store.create(http('Gateway', { auth: { type: 'bearer', token: 'tok-canary-123' }, headers: { 'X-Key': 'hdr-canary-456' } }, 'rcpt-canary-789'))
      expect(p).toMatchObject({ kind: 'http', receiptSecret: 'rcpt-canary-789', config: { auth: { type: 'bearer', token: 'tok-canary-123' }, headers: { 'X-Key': 'hdr-canary-456' } } })
      const stored = await rawRows()
      expect(stored).toContain('Gateway')
      for (const canary of ['tok-canary-123', 'hdr-canary-456', 'rcpt-canary-789']) expect(stored).not.toContain(canary)
    })

    it('keeps stored secrets an update leaves out, and drops the receipt secret when told to', async () => {
      const p = await store.create(http('Gateway', { auth: { type: 'basic', username: 'u', password: 'pw-1' } }, 'rs-1'))
      tick()
      const updated = await store.update(p.id, http('Gateway 2', { auth: { type: 'basic', username: 'u2' } }))
      expect(updated).toMatchObject({ name: 'Gateway 2', receiptSecret: 'rs-1', config: { auth: { type: 'basic', username: 'u2', password: 'pw-1' } }, createdAt: 1000, updatedAt: 2000 })
      expect(await store.update(p.id, http('Gateway 3', {}, null))).toMatchObject({ receiptSecret: null })
      expect(await store.update('prv_none', http('x'))).toBeNull()
    })

    it('gives a channel with providers exactly one default: the first, the one chosen, or the oldest left', async () => {
      const first = await store.create(sandbox('First', 'sms'))
      tick()
      const second = await store.create(sandbox('Second', 'sms'))
      tick()
      await store.create(sandbox('Mail', 'email'))
      const defaults = async () => (await store.list()).filter((p) => p.isDefault).map((p) => p.name)
      expect(await defaults()).toEqual(['First', 'Mail'])
      expect((await store.defaultFor('sms'))?.id).toBe(first.id)
      tick()
      const third = await store.create(sandbox('Third', 'sms', true))
      expect(await defaults()).toEqual(['Mail', 'Third'])
      expect(await store.remove(third.id)).toBe(true)
      expect(await defaults()).toEqual(['First', 'Mail'])
      await store.update(second.id, sandbox('Second', 'sms', true))
      expect((await store.defaultFor('sms'))?.name).toBe('Second')
      // Moving the default to another channel leaves the oldest behind as the default.
      await store.update(second.id, sandbox('Second', 'email'))
      expect(await defaults()).toEqual(['First', 'Mail'])
      expect(await store.defaultFor('whatsapp')).toBeNull()
      expect(await store.remove(second.id)).toBe(true)
      expect(await store.remove(second.id)).toBe(false)
    })

    it('keeps one default when providers of one channel are created at once', async () => {
      await Promise.all(['A', 'B', 'C', 'D'].map((name) => store.create(sandbox(name, 'sms', true))))
      expect((await store.list()).filter((p) => p.isDefault)).toHaveLength(1)
    })
  })
}
