import { describe, expect, it } from 'vitest'
import { testApp } from '../test/harness'
import { MAX_PROFILE_BYTES } from './profile-limit'

const blob = (kb: number) => 'x'.repeat(kb * 1024)

describe('a profile merged from identifies', () => {
  it('is capped at 64 KB: the identify that would pass it is refused and stores nothing', async () => {
    const t = await testApp()
    expect(MAX_PROFILE_BYTES).toBe(64 * 1024)
    for (const key of ['a', 'b']) {
      expect((await t.request('POST', '/v1/identify', { userId: 'ann', traits: { [key]: blob(30) } })).status).toBe(200)
      await t.engine.runUntilIdle()
    }
    const head = (await t.engine.lag()).journalHead
    const third = await t.request('POST', '/v1/identify', { userId: 'ann', traits: { c: blob(30) } })
    expect(third).toMatchObject({ status: 400, json: { error: { code: 'profile.too_large', details: { userId: 'ann', limitBytes: 65536 } } } })
    expect(third.json.error.message).toContain('64 KB')
    expect((await t.engine.lag()).journalHead).toBe(head)
    await t.engine.runUntilIdle()
    expect(Object.keys((await t.store.getUser('ann'))?.traits ?? {})).toEqual(['a', 'b'])
  })

  it('takes identifies that replace traits without growing, and ones that shrink the profile', async () => {
    const t = await testApp()
    for (const traits of [{ a: blob(30) }, { a: blob(30) }, { a: blob(30) }, { b: blob(30) }, { b: blob(30) }]) {
      expect((await t.request('POST', '/v1/identify', { userId: 'ann', traits })).status).toBe(200)
      await t.engine.runUntilIdle()
    }
    expect((await t.request('POST', '/v1/identify', { userId: 'ann', traits: { a: null, c: blob(30) } })).status).toBe(200)
  })

  it('counts identifies accepted but not yet applied by the engine', async () => {
    const t = await testApp()
    // No runUntilIdle: the stored profile lags behind the accepted identifies.
    for (const key of ['a', 'b']) expect((await t.request('POST', '/v1/identify', { userId: 'cid', traits: { [key]: blob(30) } })).status).toBe(200)
    expect((await t.request('POST', '/v1/identify', { userId: 'cid', traits: { c: blob(30) } })).json.error.code).toBe('profile.too_large')
    expect((await t.request('POST', '/v1/identify', { userId: 'cid', traits: { a: null, c: blob(30) } })).status).toBe(200)
    await t.engine.runUntilIdle()
    expect(Object.keys((await t.store.getUser('cid'))?.traits ?? {})).toEqual(['a', 'b', 'c'])
  })

  it('grows by small identifies up to the limit: the stored size decides when the profile must be read', async () => {
    const t = await testApp()
    const trait = 'y'.repeat(1536)
    let accepted = 0
    for (let i = 0; i < 60; i++) {
      const res = await t.request('POST', '/v1/identify', { userId: 'dee', traits: { [`k${String(i).padStart(2, '0')}`]: trait } })
      if (res.status !== 200) {
        expect(res.json.error.code).toBe('profile.too_large')
        break
      }
      accepted++
      await t.engine.runUntilIdle()
    }
    const entry = Buffer.byteLength(JSON.stringify({ k00: trait })) - 1
    expect(accepted).toBe(Math.floor((MAX_PROFILE_BYTES - 1) / entry))
    expect(Buffer.byteLength(JSON.stringify((await t.store.getUser('dee'))?.traits))).toBeLessThanOrEqual(MAX_PROFILE_BYTES)
  })

  it('counts every identify of a batch, and refuses the whole batch', async () => {
    const t = await testApp()
    const batch = ['a', 'b', 'c'].map((key) => ({ type: 'identify', userId: 'bob', traits: { [key]: blob(25) } }))
    const res = await t.request('POST', '/v1/batch', { batch: [{ type: 'track', userId: 'bob', event: 'x' }, ...batch] })
    expect(res).toMatchObject({ status: 400, json: { error: { code: 'profile.too_large' } } })
    expect((await t.engine.lag()).journalHead).toBe(0)
  })
})
