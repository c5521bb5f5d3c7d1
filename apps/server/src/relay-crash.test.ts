import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const CHILD = fileURLToPath(new URL('../test/relay-crash-child.ts', import.meta.url))

function relay(file: string, mode: 'setup' | 'drain' | 'look', crash?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', CHILD, file, mode], {
    env: { PATH: process.env.PATH ?? '', ...(crash === undefined ? {} : { SWITCHYARD_CRASH_POINTS: crash }) },
    encoding: 'utf8',
  })
}

describe('a crash inside a relay batch', () => {
  it('after the sends and before the batch commits leaves none of its outcomes written, and the batch is handed over again: sent again under the same ids, one sent event and one outcome row each', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sy-relay-crash-')), 'db.sqlite')
    const crashed = relay(file, 'setup', 'relay-batch-before-settle@1')
    expect(crashed.signal).toBe('SIGKILL')
    expect(crashed.stderr).toContain('switchyard-crash-point relay-batch-before-settle')
    // The attempts were recorded before the calls; the results, the sent events, the outcome rows
    // and the outbox completions are one transaction, which never ran.
    const looked = relay(file, 'look')
    expect(JSON.parse(looked.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ messages: 3, attempts: 3, sent: 0, sentEvents: 0, sentOutcomes: 0, outbox: 3 })
    const after = relay(file, 'drain')
    expect(after.status).toBe(0)
    expect(JSON.parse(after.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ messages: 3, attempts: 6, sent: 3, sentEvents: 3, sentOutcomes: 3, outbox: 0 })
  }, 60_000)
})
