// Sums the JSON reports every package's `vitest run` wrote during `pnpm test` and prints one
// closing line, "N passed, N failed", so a reader (or CI) sees the whole suite's count at the end.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

const roots = ['apps', 'packages'].flatMap((d) => readdirSync(d).map((p) => join(d, p))).concat(['reliability'])
let passed = 0
let failed = 0
let skipped = 0
let files = 0
for (const root of roots) {
  const dir = join(root, '.vitest-results')
  let names = []
  try {
    if (!statSync(dir).isDirectory()) continue
    names = readdirSync(dir).filter((n) => n.endsWith('.json'))
  } catch {
    continue
  }
  for (const name of names) {
    const report = JSON.parse(readFileSync(join(dir, name), 'utf8'))
    passed += report.numPassedTests ?? 0
    failed += (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0)
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
    files += 1
  }
}
const code = Number(process.argv[2] ?? 0)
if (files === 0 || (code !== 0 && failed === 0)) failed += 1 // a run that failed outside the tests (typecheck, build) counts
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
