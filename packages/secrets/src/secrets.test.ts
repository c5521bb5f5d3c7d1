import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createSecretBox, loadSecretKey } from './index'

describe('secret box', () => {
  it('round-trips a secret and never stores the plain text', () => {
    const box = createSecretBox('a-long-enough-secret-key')
    const sealed = box.seal('hunter2-canary')
    expect(sealed).not.toContain('hunter2')
    expect(box.isSealed(sealed)).toBe(true)
    expect(box.open(sealed)).toBe('hunter2-canary')
  })

  it('refuses a value sealed with another key', () => {
    const sealed = createSecretBox('first-key-0123456789').seal('x')
    expect(() => createSecretBox('other-key-0123456789').open(sealed)).toThrow()
  })

  it('generates a key file once and reads it back', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sy-')), 'nested', 'secret.key')
    const first = loadSecretKey(undefined, file)
    expect(loadSecretKey(undefined, file)).toBe(first)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(loadSecretKey('from-env-0123456789', file)).toBe('from-env-0123456789')
  })
})
