import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Engine, SqliteEngineStore, SqliteRetention, openDatabase } from '@switchyard/engine'
import { FakeClock } from '@switchyard/testkit'
import { ConfigError, loadConfig } from './config'
import type { Logger } from './log'
import { RetentionTask } from './retention'

const DAY = 86_400_000

describe('retention settings', () => {
  it('defaults to 30 days of journal, 180 days of history and a 7-day dedupe window', () => {
    expect(loadConfig({}).retention).toEqual({ journalMs: 30 * DAY, historyMs: 180 * DAY, dedupeWindowMs: 7 * DAY })
  })

  it('reads a number with s, m, h or d', () => {
    const env = { JOURNAL_RETENTION: '12h', HISTORY_RETENTION: '90m', DEDUPE_WINDOW: '45s' }
    expect(loadConfig(env).retention).toEqual({ journalMs: 12 * 3_600_000, historyMs: 90 * 60_000, dedupeWindowMs: 45_000 })
  })

  it.each([
    ['JOURNAL_RETENTION', '30', /JOURNAL_RETENTION must be a whole number followed by s, m, h or d/],
    ['JOURNAL_RETENTION', '2w', /not “2w”/],
    ['HISTORY_RETENTION', '-1d', /HISTORY_RETENTION must be a whole number/],
    ['DEDUPE_WINDOW', '1.5d', /DEDUPE_WINDOW must be a whole number/],
    ['DEDUPE_WINDOW', '0s', /DEDUPE_WINDOW must be more than zero/],
  ])('refuses %s=%s with a sentence that says what it takes', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(message)
  })
})

describe('retention task', () => {
  it('logs one info line for a pass that deleted something, and none for a pass that did not', async () => {
    const clock = new FakeClock()
    const store = new SqliteEngineStore(openDatabase(join(mkdtempSync(join(tmpdir(), 'sy-retention-')), 'switchyard.db')), clock.now())
    const engine = await Engine.open({ store, clock, workspace: 'acme' })
    const event = (i: number) => ({ messageId: `m${i}`, type: 'track' as const, userId: `u${i}`, event: 'Seen', properties: {}, timestamp: clock.now(), receivedAt: clock.now() })
    await engine.ingest(Array.from({ length: 50 }, (_, i) => event(i)))
    await engine.runUntilIdle()
    clock.advance(31 * DAY)

    const lines: { msg: string; fields?: Record<string, unknown> }[] = []
    const log: Logger = { debug: () => {}, info: (msg, fields) => lines.push({ msg, fields }), warn: () => {}, error: (msg, fields) => lines.push({ msg, fields }) }
    const task = new RetentionTask(new SqliteRetention(store, loadConfig({}).retention), loadConfig({}).retention, clock, log)
    await task.runOnce()
    await task.runOnce()
    expect(lines).toEqual([
      { msg: 'retention deleted old rows', fields: expect.objectContaining({ journalRows: 49, historyRows: 0, ms: expect.any(Number), longestBatchMs: expect.any(Number) }) },
    ])
    await task.stop()
    await engine.close()
  })
})
