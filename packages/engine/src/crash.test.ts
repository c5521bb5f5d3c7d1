import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseCrashPoints } from './crash'

const CRASH_MODULE = fileURLToPath(new URL('./crash.ts', import.meta.url))

/** Runs a child that passes the point three times, printing after each pass. */
function passThrice(env: string | undefined) {
  const script = `import { crashPoint } from ${JSON.stringify(CRASH_MODULE)}
for (let i = 1; i <= 3; i++) { crashPoint('after-journal-insert'); process.stdout.write('passed ' + i + '\\n') }`
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...(env === undefined ? {} : { SWITCHYARD_CRASH_POINTS: env }) },
    encoding: 'utf8',
  })
}

describe('crash points', () => {
  it('reads chances and n-th passes, and ignores what it cannot read', () => {
    expect([...parseCrashPoints('after-journal-insert:0.25, timer-batch-middle@3,garbage,x@')]).toEqual([
      ['after-journal-insert', { kind: 'chance', p: 0.25 }],
      ['timer-batch-middle', { kind: 'nth', n: 3 }],
    ])
    expect(parseCrashPoints(undefined).size).toBe(0)
  })

  it('kills the process with SIGKILL on the armed pass and says which point fired', () => {
    const r = passThrice('after-journal-insert@2')
    expect(r.signal).toBe('SIGKILL')
    expect(r.stdout).toBe('passed 1\n')
    expect(r.stderr).toContain('switchyard-crash-point after-journal-insert')
  }, 20_000)

  it('does nothing when the variable is unset or arms other points', () => {
    for (const env of [undefined, 'timer-batch-middle@1']) {
      const r = passThrice(env)
      expect(r.status).toBe(0)
      expect(r.stdout).toBe('passed 1\npassed 2\npassed 3\n')
    }
  }, 20_000)
})
