import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Progress goes to stderr so that stdout carries only the table. */
export function progress(message: string): void {
  const t = new Date().toISOString().slice(11, 19)
  process.stderr.write(`[bench ${t}] ${message}\n`)
}

/** A fresh directory for one figure's database; removed by `cleanup()`. */
export function tempDir(label: string): { dir: string; file: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `sy-bench-${label}-`))
  return { dir, file: join(dir, 'switchyard.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i] ?? Number.NaN
}

export function sortNumbers(values: Iterable<number>): number[] {
  return Array.from(values).sort((a, b) => a - b)
}

export function round(n: number, digits = 0): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function rssMb(): number {
  return round(process.memoryUsage.rss() / 1024 / 1024)
}
