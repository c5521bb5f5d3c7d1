import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, it } from 'vitest'
import { createLiquidPool, type LiquidLimits, type LiquidPool } from './liquid-pool'

const LIMITS: LiquidLimits = { parseLimit: 65_536, renderLimit: 200, memoryLimit: 4 * 1024 * 1024, outputLimit: 256 * 1024, maxArray: 10_000, strictFilters: false, deadlineMs: 400 }
const STALLING = fileURLToPath(new URL('./liquid-worker-stall.fixture.cjs', import.meta.url))

let pool: LiquidPool | null = null
afterEach(async () => {
  await pool?.close()
  delete process.env.LIQUID_STALL_MARKER
})

it('gives a harmless render a second thread when its first one was starved past the deadline', async () => {
  process.env.LIQUID_STALL_MARKER = join(mkdtempSync(join(tmpdir(), 'sy-liquid-')), 'stalled')
  pool = createLiquidPool({ size: 1, workerFile: STALLING })
  // The first thread stalls 1.5 s (a machine short of CPU), past the 400 ms deadline, and is replaced.
  expect(await pool.render('{{ name | upcase }}', { name: 'ann' }, LIMITS)).toEqual({ ok: true, output: 'ANN' })
  expect(await pool.render('{{ name | downcase }}', { name: 'BOB' }, LIMITS)).toEqual({ ok: true, output: 'bob' })
})

it('still fails a template that overruns on its second thread too', async () => {
  pool = createLiquidPool({ size: 1 })
  const quadratic = '{% assign big = (1..10000) %}{{ (1..10000) | where_exp: "x", "big contains x" | size }}'
  expect(await pool.render(quadratic, {}, LIMITS)).toEqual({ ok: false, error: 'template error: rendering took longer than 400 ms' })
  expect(await pool.render('{{ 2 | plus: 3 }}', {}, LIMITS)).toEqual({ ok: true, output: '5' })
})
