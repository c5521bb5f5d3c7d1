import { describe, expect, it } from 'vitest'
import { deliveryIdFor, messageIdFor, newId } from './ids'

describe('message and delivery ids', () => {
  it('are the same for the same run and node, and differ by node', () => {
    const run = newId('run', Date.UTC(2026, 11, 4))
    expect(messageIdFor(run, 'send')).toBe(messageIdFor(run, 'send'))
    expect(messageIdFor(run, 'send')).not.toBe(messageIdFor(run, 'send2'))
    expect(deliveryIdFor(run, 'hook')).toMatch(/^dlv_/)
    expect(deliveryIdFor(run, 'hook').slice(4)).toBe(messageIdFor(run, 'hook').slice(4))
  })

  it('sort in the order their runs were made, so a batch writes neighbouring index entries', () => {
    const t = Date.UTC(2026, 11, 4)
    const runs = [newId('run', t), newId('run', t), newId('run', t + 1), newId('run', t + 86_400_000)]
    const ids = runs.map((run) => messageIdFor(run, 'send'))
    expect([...ids].sort()).toEqual(ids)
    expect(runs.map((run) => deliveryIdFor(run, 'hook')).sort()).toEqual(runs.map((run) => deliveryIdFor(run, 'hook')))
  })

  it('are derived from run and node alone, whatever was asked just before (the last one is remembered)', () => {
    // Pinned: the ids of runs already stored must stay what they were.
    const run = 'run_mitxw8g0000a1b2c3d4e5f'
    const id = 'msg_mitxw8g0000aamYWzotHxDsdNjVAlPRK7a'
    expect(messageIdFor(run, 'send')).toBe(id)
    expect(messageIdFor(run, 'send')).toBe(id)
    expect(deliveryIdFor(run, 'send')).toBe(`dlv_${id.slice(4)}`)
    expect(messageIdFor('run_mitxw8g0000a1b2c3d4e6f', 'send')).not.toBe(id)
    expect(messageIdFor(run, 'send')).toBe(id)
  })

  it('keep the digest alone for runs named otherwise', () => {
    expect(messageIdFor('r1', 'send')).toMatch(/^msg_[A-Za-z0-9_-]{22}$/)
    expect(messageIdFor(`run_${'z'.repeat(30)}`, 'send')).toMatch(/^msg_[A-Za-z0-9_-]{22}$/)
  })
})
